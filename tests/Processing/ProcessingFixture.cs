using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Videos;

namespace Surveillance.Tests.Processing;

/// <summary>
/// The cluster and API of the processing, results and search tests: the video fixture's users,
/// projects and samples, plus helpers that wait for a job and post results.
/// </summary>
public sealed class ProcessingFixture : VideosFixture
{
    public static readonly TimeSpan JobDeadline = ProbeDeadline;

    /// <summary>A project with a processor member, and one probed real video in it (awaiting results).</summary>
    public async Task<ProbedVideo> NewProbedVideoAsync(string sample = "h264.mp4")
    {
        var (processor, processorToken) = await NewUserAsync("processor");
        var projectId = await NewProjectAsync(null, processor);
        var admin = await AdminTokenOnceAsync();
        var videoId = await UploadVideoAsync(admin, projectId, "gate" + Path.GetExtension(sample), Samples.Bytes(sample));
        var job = await (await CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/jobs/{videoId}", admin)).ReadJsonAsync();
        Assert.Equal("awaiting_results", job["status"]!.GetValue<string>());
        return new ProbedVideo(projectId, videoId, processor, processorToken);
    }

    public Task<HttpResponseMessage> PostResultsAsync(string token, string videoId, object body) =>
        CreateClient().SendAsync(HttpMethod.Post, $"/surveillance/videos/{videoId}/results", token, body);

    public async Task<JsonNode> SearchAsync(string token, object body)
    {
        var response = await CreateClient().SendAsync(HttpMethod.Post, "/surveillance/search", token, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    /// <summary>Indexing follows the results asynchronously: polls (bounded) until the project's frames are searchable.</summary>
    public async Task WaitUntilIndexedAsync(ProbedVideo video, int expected)
    {
        var clock = Stopwatch.StartNew();
        var found = 0;
        while (clock.Elapsed < JobDeadline)
        {
            var results = await SearchAsync(video.ProcessorToken, new { query = "anything", project_id = video.ProjectId, threshold = 0 });
            found = results["total_results"]!.GetValue<int>();
            if (found >= expected)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"only {found} of {expected} frames were searchable after {JobDeadline.TotalSeconds} s");
    }

    public static object Frame(double timestamp, string caption, params object[] objects) =>
        new { timestamp, caption, detected_objects = objects };

    public static object Detected(string @class, double confidence = 0.9) =>
        new { @class, confidence, bbox = new[] { 1.0, 2.0, 30.0, 20.0 } };
}

public sealed record ProbedVideo(string ProjectId, string VideoId, string Processor, string ProcessorToken);

[CollectionDefinition(Name)]
public sealed class SharedProcessingCluster : ICollectionFixture<ProcessingFixture>
{
    public const string Name = "Processing, results and search";
}
