using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Processing;

/// <summary>API.md: <c>GET /surveillance/jobs</c> and <c>/jobs/{job_id}</c> (<c>job_id</c> = <c>video_id</c>).</summary>
[Collection(SharedProcessingCluster.Name)]
public sealed class JobsTests(ProcessingFixture fixture)
{
    [Fact]
    public async Task Job_ShowsItsStages_ProgressAndTimestamps_ThroughToCompleted()
    {
        var video = await fixture.NewProbedVideoAsync();
        var http = fixture.CreateClient();

        var awaiting = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/jobs/{video.VideoId}", video.ProcessorToken)).ReadJsonAsync();

        Assert.Equal(video.VideoId, awaiting["job_id"]!.GetValue<string>());
        Assert.Equal(video.VideoId, awaiting["video_id"]!.GetValue<string>());
        Assert.Equal(video.ProjectId, awaiting["project_id"]!.GetValue<string>());
        Assert.Equal(66, awaiting["progress"]!.GetValue<int>());
        var stages = awaiting["stages"]!.AsArray().Select(s => (s!["name"]!.GetValue<string>(), s["status"]!.GetValue<string>())).ToList();
        Assert.Equal([("upload", "completed"), ("probe", "completed"), ("analysis", "waiting")], stages);
        Assert.NotNull(awaiting["started_at"]);
        Assert.Null(awaiting["completed_at"]);
        Assert.True(awaiting["updated_at"]!.GetValue<DateTimeOffset>() >= awaiting["created_at"]!.GetValue<DateTimeOffset>());

        var posted = await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId,
            new { model_version = "m1", frames = new[] { ProcessingFixture.Frame(0.5, "a person at the gate") } });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        var completed = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/jobs/{video.VideoId}", video.ProcessorToken)).ReadJsonAsync();
        Assert.Equal("completed", completed["status"]!.GetValue<string>());
        Assert.Equal(100, completed["progress"]!.GetValue<int>());
        Assert.Equal("completed", completed["stages"]![2]!["status"]!.GetValue<string>());
        Assert.NotNull(completed["completed_at"]);
    }

    [Fact]
    public async Task JobList_FiltersByStatus_AndProject_AndLimit()
    {
        var first = await fixture.NewProbedVideoAsync();
        var second = await fixture.NewProbedVideoAsync();
        var admin = await fixture.AdminTokenOnceAsync();
        var http = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostResultsAsync(admin, second.VideoId,
            new { model_version = "m1", frames = new[] { ProcessingFixture.Frame(0, "empty yard") } })).StatusCode);

        var awaiting = await JobIdsAsync(http, admin, "?status=awaiting_results");
        var completed = await JobIdsAsync(http, admin, "?status=completed");
        var ofFirst = await JobIdsAsync(http, admin, $"?project_id={first.ProjectId}");
        var one = await JobIdsAsync(http, admin, "?limit=1");

        Assert.Contains(first.VideoId, awaiting);
        Assert.DoesNotContain(second.VideoId, awaiting);
        Assert.Contains(second.VideoId, completed);
        Assert.Equal([first.VideoId], ofFirst);
        Assert.Single(one);
    }

    [Fact]
    public async Task JobList_OfAMember_HoldsOnlyTheirProjects()
    {
        var mine = await fixture.NewProbedVideoAsync();
        var theirs = await fixture.NewProbedVideoAsync();

        var ids = await JobIdsAsync(fixture.CreateClient(), mine.ProcessorToken, "");

        Assert.Contains(mine.VideoId, ids);
        Assert.DoesNotContain(theirs.VideoId, ids);
    }

    [Fact]
    public async Task OutsidersJobRead_IsNotFound_LikeAJobThatNeverExisted()
    {
        var video = await fixture.NewProbedVideoAsync();
        var (_, outsider) = await fixture.NewUserAsync("processor");
        var http = fixture.CreateClient();

        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/jobs/{video.VideoId}", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/jobs/{new string('0', 32)}", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, "/surveillance/jobs/not-a-job", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/jobs?project_id={video.ProjectId}", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("?status=done")]
    [InlineData("?status=")]
    [InlineData("?limit=0")]
    [InlineData("?limit=1001")]
    [InlineData("?limit=ten")]
    public async Task JobList_WithABadFilter_Is400(string query)
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/surveillance/jobs" + query, await fixture.AdminTokenOnceAsync());

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Jobs_WithoutAToken_Are401()
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/surveillance/jobs", null);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    private static async Task<List<string>> JobIdsAsync(HttpClient http, string token, string query)
    {
        var response = await http.SendAsync(HttpMethod.Get, "/surveillance/jobs" + query, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())["jobs"]!.AsArray().Select(j => j!["job_id"]!.GetValue<string>()).ToList();
    }
}
