using System.Net;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Processing;

namespace Surveillance.Tests.Footage;

/// <summary>
/// API.md "Analytics": totals, the object distribution with one-decimal percentages, videos by
/// status and detections per day, from the stored results of the projects the caller can read.
/// </summary>
[Collection(SharedProcessingCluster.Name)]
public sealed class AnalyticsTests(ProcessingFixture fixture)
{
    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task KnownResults_GiveExactTotals_Distribution_StatusesAndDays()
    {
        var (first, _) = await ProjectWithKnownResultsAsync();

        var analytics = await GetAsync(first.ProcessorToken, $"?project_id={first.ProjectId}");

        Assert.Equal(first.ProjectId, analytics["project_id"]!.GetValue<string>());
        var overview = analytics["overview"]!;
        Assert.Equal(1, overview["total_projects"]!.GetValue<int>());
        Assert.Equal(2, overview["total_videos"]!.GetValue<int>());
        Assert.Equal(4, overview["total_frames"]!.GetValue<int>());
        Assert.Equal(6, overview["total_detections"]!.GetValue<int>());
        Assert.InRange(overview["total_duration_seconds"]!.GetValue<double>(), 1.8, 2.6); // two 1-second samples
        var objects = analytics["object_statistics"]!.AsObject();
        Assert.Equal(["cat", "person", "car", "dog"], objects.Select(o => o.Key).ToArray());
        Assert.Equal((2, 33.3), Statistic(objects["person"]!));
        Assert.Equal((2, 33.3), Statistic(objects["cat"]!));
        Assert.Equal((1, 16.7), Statistic(objects["car"]!));
        Assert.Equal((1, 16.7), Statistic(objects["dog"]!));
        Assert.Equal(2, analytics["videos_by_status"]!["completed"]!.GetValue<int>());
        var day = Assert.Single(analytics["detections_by_day"]!.AsArray());
        Assert.Equal(Today, day!["date"]!.GetValue<string>());
        Assert.Equal(6, day["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task WithoutProjectId_OnlyTheCallersReadableProjectsCount()
    {
        var (first, _) = await ProjectWithKnownResultsAsync();
        await ProjectWithKnownResultsAsync(); // another processor's project, unreadable to the first

        var analytics = await GetAsync(first.ProcessorToken, "");

        Assert.Null(analytics["project_id"]);
        Assert.Equal(1, analytics["overview"]!["total_projects"]!.GetValue<int>());
        Assert.Equal(6, analytics["overview"]!["total_detections"]!.GetValue<int>());
    }

    [Fact]
    public async Task DatesAreInclusiveUtcDays_OnUploadedAt()
    {
        var (first, _) = await ProjectWithKnownResultsAsync();
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var today = await GetAsync(first.ProcessorToken, $"?project_id={first.ProjectId}&start_date={Today}&end_date={Today}");
        var before = await GetAsync(first.ProcessorToken, $"?project_id={first.ProjectId}&end_date={yesterday}");

        Assert.Equal(2, today["overview"]!["total_videos"]!.GetValue<int>());
        Assert.Equal(0, before["overview"]!["total_videos"]!.GetValue<int>());
        Assert.Equal(0, before["overview"]!["total_detections"]!.GetValue<int>());
        Assert.Empty(before["object_statistics"]!.AsObject());
        Assert.Empty(before["detections_by_day"]!.AsArray());
    }

    [Fact]
    public async Task DeletedVideo_IsGoneFromTheCounts()
    {
        var (first, second) = await ProjectWithKnownResultsAsync();
        var deleted = await fixture.CreateClient().SendAsync(HttpMethod.Delete, $"/surveillance/videos/{second}", await fixture.AdminTokenOnceAsync());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var analytics = await GetAsync(first.ProcessorToken, $"?project_id={first.ProjectId}");

        Assert.Equal(1, analytics["overview"]!["total_videos"]!.GetValue<int>());
        Assert.Equal(3, analytics["overview"]!["total_detections"]!.GetValue<int>());
        Assert.Equal((2, 66.7), Statistic(analytics["object_statistics"]!["person"]!));
        Assert.Null(analytics["object_statistics"]!["cat"]);
    }

    [Fact]
    public async Task Tally_AddsUpResultsPostedInSeveralCalls_AndSurvivesReactivation_AsTheFrameMetadataShows()
    {
        var (first, _) = await ProjectWithKnownResultsAsync();
        await PostAsync(first.ProcessorToken, first.VideoId,
            ProcessingFixture.Frame(0.6, "a person and a dog", ProcessingFixture.Detected("person"), ProcessingFixture.Detected("Dog")));

        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var analytics = await GetAsync(first.ProcessorToken, $"?project_id={first.ProjectId}");

        Assert.Equal(5, analytics["overview"]!["total_frames"]!.GetValue<int>());
        Assert.Equal(8, analytics["overview"]!["total_detections"]!.GetValue<int>());
        Assert.Equal((3, 37.5), Statistic(analytics["object_statistics"]!["person"]!));
        Assert.Equal((1, 12.5), Statistic(analytics["object_statistics"]!["Dog"]!));
        var third = await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/frame/{first.VideoId}-000002/metadata", first.ProcessorToken);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(8, analytics["detections_by_day"]![0]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Outsider_NamingAProject_GetsTheSame404_AsForAProjectThatNeverExisted()
    {
        var (first, _) = await ProjectWithKnownResultsAsync();
        var (_, outsider) = await fixture.NewUserAsync("viewer");
        var http = fixture.CreateClient();

        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/analytics?project_id={first.ProjectId}", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, "/surveillance/analytics?project_id=never-was", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        var own = await GetAsync(outsider, "");
        Assert.Equal(0, own["overview"]!["total_videos"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("start_date=2026-13-01")]
    [InlineData("start_date=yesterday")]
    [InlineData("end_date=2026-1-5")]
    [InlineData("end_date=2026-01-05T00:00:00Z")]
    [InlineData("start_date=2026-02-02&end_date=2026-02-01")]
    public async Task InvalidDates_AreA400ValidationProblem(string query)
    {
        var admin = await fixture.AdminTokenOnceAsync();

        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/surveillance/analytics?" + query, admin);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    /// <summary>
    /// A project with two completed videos: the first with frames [person, car], [person]; the
    /// second with [dog], [cat, cat] — 4 frames, 6 detections. Returns the first video and the second's id.
    /// </summary>
    private async Task<(ProbedVideo First, string SecondVideoId)> ProjectWithKnownResultsAsync()
    {
        var first = await fixture.NewProbedVideoAsync();
        var admin = await fixture.AdminTokenOnceAsync();
        var second = await fixture.UploadVideoAsync(admin, first.ProjectId, "second.mp4", fixture.Samples.Bytes("h264.mp4"));
        await PostAsync(first.ProcessorToken, first.VideoId,
            ProcessingFixture.Frame(0.2, "a person by a car", ProcessingFixture.Detected("person"), ProcessingFixture.Detected("car")),
            ProcessingFixture.Frame(0.4, "a person", ProcessingFixture.Detected("person")));
        await PostAsync(first.ProcessorToken, second,
            ProcessingFixture.Frame(0.2, "a dog", ProcessingFixture.Detected("dog")),
            ProcessingFixture.Frame(0.4, "two cats", ProcessingFixture.Detected("cat"), ProcessingFixture.Detected("cat")));
        return (first, second);
    }

    private async Task PostAsync(string token, string videoId, params object[] frames)
    {
        var response = await fixture.PostResultsAsync(token, videoId, new { model_version = "test", frames });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonNode> GetAsync(string token, string query)
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/surveillance/analytics" + query, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())["analytics"]!;
    }

    private static (int Count, double Percentage) Statistic(JsonNode node) =>
        (node["count"]!.GetValue<int>(), node["percentage"]!.GetValue<double>());
}
