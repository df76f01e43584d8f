using System.Net;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Processing.ProcessingFixture;

namespace Surveillance.Tests.Processing;

/// <summary>
/// API.md "Search": semantic similarity (all-MiniLM-L6-v2 embeddings) between the query and each
/// frame's caption and object classes, with the filters, only inside readable projects.
/// </summary>
[Collection(SharedProcessingCluster.Name)]
public sealed class SearchTests(ProcessingFixture fixture)
{
    private const string RedCar = "a red car parked near the north gate";
    private const string Unrelated = "a dog sleeping on the office carpet";

    [Fact]
    public async Task RedCarQuery_FindsTheRedCarFrame_AboveTheDefaultThreshold_AndRanksItFirst()
    {
        var video = await VideoWithFramesAsync();

        var results = await fixture.SearchAsync(video.ProcessorToken, new { query = "red car near the gate", project_id = video.ProjectId });

        var hits = results["results"]!.AsArray();
        var top = hits[0]!;
        Assert.Equal(RedCar, top["caption"]!.GetValue<string>());
        Assert.True(top["similarity_score"]!.GetValue<double>() >= 0.7, $"score {top["similarity_score"]}");
        Assert.Equal(video.VideoId, top["video_id"]!.GetValue<string>());
        Assert.Equal("gate.mp4", top["video_filename"]!.GetValue<string>());
        Assert.Equal(video.ProjectId, top["project_id"]!.GetValue<string>());
        Assert.Equal(0.2, top["timestamp"]!.GetValue<double>());
        Assert.Equal("car", top["detected_objects"]![0]!["class"]!.GetValue<string>());
        Assert.DoesNotContain(hits, h => h!["caption"]!.GetValue<string>() == Unrelated);
        Assert.Equal(hits.Count, results["total_results"]!.GetValue<int>());
        Assert.Equal(video.ProjectId, results["project_id"]!.GetValue<string>());
        Assert.InRange(results["query_time"]!.GetValue<double>(), 0, 10);

        var everything = await fixture.SearchAsync(video.ProcessorToken, new { query = "red car near the gate", project_id = video.ProjectId, threshold = 0 });
        var ranked = everything["results"]!.AsArray().Select(h => h!["caption"]!.GetValue<string>()).ToList();
        Assert.True(ranked.IndexOf(RedCar) < ranked.IndexOf(Unrelated));
        var scores = everything["results"]!.AsArray().Select(h => h!["similarity_score"]!.GetValue<double>()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(scores, s => Assert.InRange(s, 0, 1));
    }

    [Fact]
    public async Task ObjectFilter_KeepsOnlyFramesWithThatClass()
    {
        var video = await VideoWithFramesAsync();

        var results = await fixture.SearchAsync(video.ProcessorToken,
            new { query = "something at the gate", project_id = video.ProjectId, threshold = 0, detected_objects = new[] { "Person" } });

        var captions = results["results"]!.AsArray().Select(h => h!["caption"]!.GetValue<string>()).ToList();
        Assert.Equal(["a person dropping a bag near the entrance"], captions);
    }

    [Fact]
    public async Task TimeFilter_KeepsOnlyFramesInsideTheWindow()
    {
        var video = await VideoWithFramesAsync();

        var results = await fixture.SearchAsync(video.ProcessorToken,
            new { query = "anything", project_id = video.ProjectId, threshold = 0, start_time = 0.5, end_time = 0.8 });

        var times = results["results"]!.AsArray().Select(h => h!["timestamp"]!.GetValue<double>()).ToList();
        Assert.Equal([0.6], times);
    }

    [Fact]
    public async Task Outsider_FindsNothingOfTheProject_AndNamingItIs404()
    {
        var video = await VideoWithFramesAsync();
        var (_, outsider) = await fixture.NewUserAsync("viewer");

        var everywhere = await fixture.SearchAsync(outsider, new { query = "red car near the gate", threshold = 0 });
        var named = await fixture.CreateClient().SendAsync(HttpMethod.Post, "/surveillance/search", outsider,
            new { query = "red car near the gate", project_id = video.ProjectId });

        Assert.DoesNotContain(everywhere["results"]!.AsArray(), h => h!["project_id"]!.GetValue<string>() == video.ProjectId);
        await named.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Admin_SearchesEveryProject()
    {
        var video = await VideoWithFramesAsync();

        var results = await fixture.SearchAsync(await fixture.AdminTokenOnceAsync(), new { query = "red car near the gate", limit = 100 });

        Assert.Contains(results["results"]!.AsArray(), h => h!["video_id"]!.GetValue<string>() == video.VideoId);
    }

    [Theory]
    [InlineData("person dropping a bag")]
    [InlineData("'; DROP TABLE users; --")]
    [InlineData("x' OR '1'='1")]
    [InlineData("\" OR \"\"=\"")]
    public async Task Query_IsData_AnOrdinarySearch(string query)
    {
        var video = await VideoWithFramesAsync();

        var response = await fixture.CreateClient().SendAsync(HttpMethod.Post, "/surveillance/search", video.ProcessorToken,
            new { query, project_id = video.ProjectId });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await response.ReadJsonAsync())["results"]);
    }

    public static TheoryData<string, string> InvalidSearches() => new()
    {
        { "no body", "" },
        { "not JSON", "{query" },
        { "no query", """{"limit":5}""" },
        { "empty query", """{"query":""}""" },
        { "blank query", """{"query":"   "}""" },
        { "query over 200 characters", $$"""{"query":"{{new string('q', 201)}}"}""" },
        { "query as a number", """{"query":42}""" },
        { "limit 0", """{"query":"car","limit":0}""" },
        { "limit 101", """{"query":"car","limit":101}""" },
        { "threshold below 0", """{"query":"car","threshold":-0.01}""" },
        { "threshold above 1", """{"query":"car","threshold":1.5}""" },
        { "negative start_time", """{"query":"car","start_time":-1}""" },
        { "start after end", """{"query":"car","start_time":5,"end_time":1}""" },
        { "objects not a list", """{"query":"car","detected_objects":"car"}""" },
        { "empty object name", """{"query":"car","detected_objects":[""]}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidSearches))]
    public async Task InvalidSearch_Is400(string what, string body)
    {
        var response = await fixture.CreateClient().SendRawAsync(HttpMethod.Post, "/surveillance/search",
            await fixture.AdminTokenOnceAsync(), body, "application/json");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()), what);
    }

    [Fact]
    public async Task Search_WithoutAToken_Is401()
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Post, "/surveillance/search", null, new { query = "car" });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task DeletedVideo_LeavesTheSearch()
    {
        var video = await VideoWithFramesAsync();
        var admin = await fixture.AdminTokenOnceAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.CreateClient().SendAsync(HttpMethod.Delete, $"/surveillance/videos/{video.VideoId}", admin)).StatusCode);
        var results = await fixture.SearchAsync(admin, new { query = "red car near the gate", project_id = video.ProjectId, threshold = 0 });

        Assert.Equal(0, results["total_results"]!.GetValue<int>());
    }

    private async Task<ProbedVideo> VideoWithFramesAsync()
    {
        var video = await fixture.NewProbedVideoAsync();
        var response = await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId, new
        {
            model_version = "m",
            frames = new[]
            {
                Frame(0.2, RedCar, Detected("car")),
                Frame(0.6, Unrelated, Detected("dog")),
                Frame(0.9, "a person dropping a bag near the entrance", Detected("person"), Detected("handbag")),
            },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await fixture.WaitUntilIndexedAsync(video, expected: 3);
        return video;
    }
}
