using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Storage;

namespace Surveillance.Tests.Videos;

/// <summary>
/// One cluster and one API for the project and video tests, with their own video directory
/// (deleted afterwards), real sample videos, and users created and logged in once per name.
/// </summary>
public class VideosFixture : ApiFixture
{
    public static readonly TimeSpan ProbeDeadline = TimeSpan.FromSeconds(60);

    public SampleVideos Samples { get; private set; } = null!;

    /// <summary>The fixture's <c>Storage:VideoPath</c>: every stored byte of its videos is under it.</summary>
    public string VideoPath => Cluster.Settings.VideoPath;

    /// <summary>
    /// A client that sends request bodies as they are produced: the default one follows
    /// redirects, and to replay a request it reads the whole body into memory first.
    /// </summary>
    public HttpClient CreateStreamingClient() => Api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>A new user with these roles, logged in: (username, token).</summary>
    public async Task<(string Username, string Token)> NewUserAsync(params string[] roles)
    {
        var http = CreateClient();
        var username = await http.CreateUserAsync(await AdminTokenOnceAsync(), password: TestSettings.UserPassword, roles: roles);
        return (username, await http.LoginAsync(username, TestSettings.UserPassword));
    }

    /// <summary>Creates a project as admin with a fresh id (lower case) and these members.</summary>
    public async Task<string> NewProjectAsync(int? retentionDays = null, params string[] members)
    {
        var projectId = "p-" + Guid.NewGuid().ToString("N")[..12];
        var http = CreateClient();
        var admin = await AdminTokenOnceAsync();
        var created = await http.SendAsync(HttpMethod.Post, "/surveillance/projects", admin,
            new { project_id = projectId, name = "Project " + projectId, retention_days = retentionDays });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        foreach (var member in members)
        {
            await AddMemberAsync(projectId, member);
        }

        return projectId;
    }

    public async Task AddMemberAsync(string projectId, string username)
    {
        var response = await CreateClient().SendAsync(HttpMethod.Put, $"/surveillance/projects/{projectId}/members/{username}", await AdminTokenOnceAsync());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>
    /// Uploads and asserts 201, then waits until the upload's probe has finished (so that a test
    /// that changes the stored file does not race the prober reading it); returns the video id.
    /// </summary>
    public async Task<string> UploadVideoAsync(string token, string projectId, string fileName, byte[] content)
    {
        var response = await CreateClient().UploadAsync(token, projectId, fileName, content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var videoId = (await response.ReadJsonAsync())["video_id"]!.GetValue<string>();
        await WaitForProbeAsync(token, videoId);
        return videoId;
    }

    /// <summary>Polls the job (bounded) until it leaves queued/processing; returns its last JSON.</summary>
    public async Task<JsonNode> WaitForProbeAsync(string token, string videoId)
    {
        var clock = Stopwatch.StartNew();
        JsonNode job;
        do
        {
            var response = await CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/jobs/{videoId}", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            job = await response.ReadJsonAsync();
            if (job["status"]!.GetValue<string>() is not ("queued" or "processing"))
            {
                return job;
            }

            await Task.Delay(50);
        }
        while (clock.Elapsed < ProbeDeadline);

        Assert.Fail($"the job of {videoId} was still '{job["status"]}' after {ProbeDeadline.TotalSeconds} s");
        return job;
    }

    public string StoredPath(string projectId, string videoId) => Path.Combine(VideoPath, projectId, videoId + ".svv");

    public override async Task InitializeAsync()
    {
        Samples = await SampleVideoCache.GetAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(VideoPath))
        {
            Directory.Delete(VideoPath, recursive: true);
        }
    }
}

/// <summary>The project and video test classes that share one <see cref="VideosFixture"/>; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedVideosCluster : ICollectionFixture<VideosFixture>
{
    public const string Name = "Projects and videos";
}
