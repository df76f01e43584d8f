using System.Diagnostics;
using System.Net;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Storage;

namespace Surveillance.Tests.Videos;

/// <summary>
/// A project's <c>retention_days</c> is enforced by a durable reminder: videos older than that
/// are deleted (key and file), also when the silo that scheduled it has been restarted. Tests
/// shorten the "day" (<c>Retention:DaySeconds</c>) and the check interval.
/// </summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string _videoPath = Path.Combine(Path.GetTempPath(), "surveillance-tests", Guid.NewGuid().ToString("N"));
    private SampleVideos _samples = null!;

    [Fact]
    public async Task VideoOlderThanTheRetention_IsDeleted_WhileVideosOfProjectsWithoutOne_Stay()
    {
        var settings = Settings(daySeconds: 1);
        await using var api = await RunningApi.StartAsync(settings);
        var admin = await api.AdminTokenAsync();
        var http = api.CreateClient();
        var expiring = await CreateProjectAsync(http, admin, "expiring", retentionDays: 1);
        var keeping = await CreateProjectAsync(http, admin, "keeping", retentionDays: null);
        var expired = await UploadAsync(http, admin, expiring, "old.mp4");
        var kept = await UploadAsync(http, admin, keeping, "kept.mp4");

        await WaitUntilDeletedAsync(http, admin, expiring, expired);

        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{expiring}", admin)).ReadJsonAsync();
        Assert.Empty(project["videos"]!.AsArray());
        Assert.Equal(_samples.Bytes("h264.mp4"), await http.DownloadBytesAsync(admin, kept));
        Assert.True(File.Exists(StoredPath(keeping, kept)));
    }

    /// <summary>A reminder, not a timer: it is in the database, so a restarted silo still enforces the retention.</summary>
    [Fact]
    public async Task Retention_IsStillEnforced_AfterTheSiloRestarts()
    {
        // A retention "day" long enough for the video to outlive the first silo.
        var settings = Settings(daySeconds: 8);
        string projectId, videoId;
        await using (var api = await RunningApi.StartAsync(settings))
        {
            var admin = await api.AdminTokenAsync();
            var http = api.CreateClient();
            projectId = await CreateProjectAsync(http, admin, "restarted", retentionDays: 1);
            videoId = await UploadAsync(http, admin, projectId, "before-restart.mp4");
        }

        Assert.True(File.Exists(StoredPath(projectId, videoId)), "the video expired before the silo stopped: the test proves nothing");

        await using (var api = await RunningApi.StartAsync(settings))
        {
            await WaitUntilDeletedAsync(api.CreateClient(), await api.AdminTokenAsync(), projectId, videoId);
        }
    }

    public async Task InitializeAsync() => _samples = await SampleVideoCache.GetAsync();

    public Task DisposeAsync()
    {
        if (Directory.Exists(_videoPath))
        {
            Directory.Delete(_videoPath, recursive: true);
        }

        return Task.CompletedTask;
    }

    private TestSettings Settings(int daySeconds) => new()
    {
        VideoPath = _videoPath,
        Overrides = new()
        {
            ["Retention:DaySeconds"] = daySeconds.ToString(),
            ["Retention:CheckIntervalSeconds"] = "2",
        },
    };

    private string StoredPath(string projectId, string videoId) => Path.Combine(_videoPath, projectId, videoId + ".svv");

    /// <summary>Polls (bounded) until the video is 404 and its file is gone.</summary>
    private async Task WaitUntilDeletedAsync(HttpClient http, string admin, string projectId, string videoId)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < Deadline)
        {
            var response = await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}", admin);
            last = $"{(int)response.StatusCode}, file exists: {File.Exists(StoredPath(projectId, videoId))}";
            if (response.StatusCode == HttpStatusCode.NotFound && !File.Exists(StoredPath(projectId, videoId)))
            {
                await response.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
                await (await http.DownloadAsync(admin, videoId)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"the video was not deleted within {Deadline.TotalSeconds} s (last: {last})");
    }

    private static async Task<string> CreateProjectAsync(HttpClient http, string admin, string prefix, int? retentionDays)
    {
        var projectId = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var response = await http.SendAsync(HttpMethod.Post, "/surveillance/projects", admin,
            new { project_id = projectId, name = prefix, retention_days = retentionDays });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return projectId;
    }

    private async Task<string> UploadAsync(HttpClient http, string token, string projectId, string fileName)
    {
        var response = await http.UploadAsync(token, projectId, fileName, _samples.Bytes("h264.mp4"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync())["video_id"]!.GetValue<string>();
    }
}
