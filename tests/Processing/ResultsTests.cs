using System.Net;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Processing.ProcessingFixture;

namespace Surveillance.Tests.Processing;

/// <summary>
/// API.md: <c>POST /surveillance/videos/{id}/results</c> (processor members, admins) and
/// <c>GET /surveillance/frame/{frame_id}/metadata</c>, with object-level authorization.
/// </summary>
[Collection(SharedProcessingCluster.Name)]
public sealed class ResultsTests(ProcessingFixture fixture)
{
    [Fact]
    public async Task ProcessorMember_PostsResults_JobCompletes_AndEachFrameIsReadable()
    {
        var video = await fixture.NewProbedVideoAsync();

        var response = await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId, new
        {
            model_version = "yolo-blip-2",
            frames = new[]
            {
                Frame(0.2, "a red car parked near the north gate", Detected("car", 0.93)),
                Frame(0.8, "a person dropping a bag", Detected("person", 0.88), Detected("backpack", 0.41)),
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = await response.ReadJsonAsync();
        Assert.Equal("completed", receipt["status"]!.GetValue<string>());
        Assert.Equal(2, receipt["frames_stored"]!.GetValue<int>());
        var frameIds = receipt["frame_ids"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
        Assert.Equal(2, frameIds.Distinct().Count());

        var http = fixture.CreateClient();
        var metadata = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{video.VideoId}", video.ProcessorToken)).ReadJsonAsync();
        Assert.Equal("completed", metadata["status"]!.GetValue<string>());
        Assert.Equal(2, metadata["frame_count"]!.GetValue<int>());
        Assert.NotNull(metadata["processed_at"]);

        var frame = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/frame/{frameIds[1]}/metadata", video.ProcessorToken)).ReadJsonAsync();
        Assert.Equal(frameIds[1], frame["frame_id"]!.GetValue<string>());
        Assert.Equal(video.VideoId, frame["video_id"]!.GetValue<string>());
        Assert.Equal(video.ProjectId, frame["project_id"]!.GetValue<string>());
        Assert.Equal(0.8, frame["timestamp"]!.GetValue<double>());
        Assert.Equal("a person dropping a bag", frame["caption"]!.GetValue<string>());
        Assert.Equal("yolo-blip-2", frame["model_version"]!.GetValue<string>());
        var objects = frame["detected_objects"]!.AsArray();
        Assert.Equal(["person", "backpack"], objects.Select(o => o!["class"]!.GetValue<string>()));
        Assert.Equal(0.41, objects[1]!["confidence"]!.GetValue<double>());
        Assert.Equal([1.0, 2.0, 30.0, 20.0], objects[0]!["bbox"]!.AsArray().Select(v => v!.GetValue<double>()));
    }

    [Fact]
    public async Task SecondSubmission_AddsFrames_WithNewIds()
    {
        var video = await fixture.NewProbedVideoAsync();

        var first = await (await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId,
            new { model_version = "m", frames = new[] { Frame(0, "yard") } })).ReadJsonAsync();
        var second = await (await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId,
            new { model_version = "m", frames = new[] { Frame(0.5, "gate"), Frame(1, "road") } })).ReadJsonAsync();

        Assert.Equal(3, second["frame_count"]!.GetValue<int>());
        var ids = first["frame_ids"]!.AsArray().Concat(second["frame_ids"]!.AsArray()).Select(f => f!.GetValue<string>()).ToList();
        Assert.Equal(3, ids.Distinct().Count());
    }

    [Fact]
    public async Task Admin_MayPostResults_WithoutMembership()
    {
        var video = await fixture.NewProbedVideoAsync();

        var response = await fixture.PostResultsAsync(await fixture.AdminTokenOnceAsync(), video.VideoId,
            new { model_version = "m", frames = new[] { Frame(0, "empty yard") } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OperatorMember_ForgingResults_Is403_AndNothingIsStored()
    {
        var video = await fixture.NewProbedVideoAsync();
        var (operatorName, operatorToken) = await fixture.NewUserAsync("operator");
        await fixture.AddMemberAsync(video.ProjectId, operatorName);

        var response = await fixture.PostResultsAsync(operatorToken, video.VideoId,
            new { model_version = "m", frames = new[] { Frame(0, "nothing happened here") } });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await AssertStillAwaitingAsync(video);
    }

    [Fact]
    public async Task ProcessorOutsideTheProject_PostingResults_Is404_LikeAMissingVideo()
    {
        var video = await fixture.NewProbedVideoAsync();
        var (_, outsider) = await fixture.NewUserAsync("processor");

        var response = await fixture.PostResultsAsync(outsider, video.VideoId,
            new { model_version = "m", frames = new[] { Frame(0, "planted evidence") } });
        var missing = await fixture.PostResultsAsync(outsider, new string('a', 32),
            new { model_version = "m", frames = new[] { Frame(0, "planted evidence") } });

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await AssertStillAwaitingAsync(video);
    }

    [Fact]
    public async Task OutsiderReadingAFrame_Is404_LikeAFrameThatNeverExisted()
    {
        var video = await fixture.NewProbedVideoAsync();
        var receipt = await (await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId,
            new { model_version = "m", frames = new[] { Frame(0, "licence plate AB-123") } })).ReadJsonAsync();
        var frameId = receipt["frame_ids"]![0]!.GetValue<string>();
        var (_, outsider) = await fixture.NewUserAsync("viewer");
        var http = fixture.CreateClient();

        var stolen = await http.SendAsync(HttpMethod.Get, $"/surveillance/frame/{frameId}/metadata", outsider);
        var neverExisted = await http.SendAsync(HttpMethod.Get, $"/surveillance/frame/{video.VideoId}-999999/metadata", video.ProcessorToken);
        var malformed = await http.SendAsync(HttpMethod.Get, "/surveillance/frame/not-a-frame/metadata", video.ProcessorToken);

        var problem = await stolen.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.DoesNotContain("AB-123", problem.ToJsonString());
        await neverExisted.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await malformed.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task ResultsForAVideoThatFailedProbing_AreAConflict()
    {
        var admin = await fixture.AdminTokenOnceAsync();
        var projectId = await fixture.NewProjectAsync();
        var garbage = fixture.Samples.Header("h264.mp4").Take(32).Concat(new byte[4096]).ToArray();
        var videoId = await fixture.UploadVideoAsync(admin, projectId, "broken.mp4", garbage);
        Assert.Equal("failed", (await fixture.WaitForProbeAsync(admin, videoId))["status"]!.GetValue<string>());

        var response = await fixture.PostResultsAsync(admin, videoId, new { model_version = "m", frames = new[] { Frame(0, "x") } });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "CONFLICT");
    }

    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { "no body", "" },
        { "not JSON", "{frames:" },
        { "an array", "[]" },
        { "no model_version", """{"frames":[{"timestamp":0,"caption":"x","detected_objects":[]}]}""" },
        { "empty model_version", """{"model_version":"","frames":[{"timestamp":0,"caption":"x"}]}""" },
        { "no frames", """{"model_version":"m"}""" },
        { "zero frames", """{"model_version":"m","frames":[]}""" },
        { "a null frame", """{"model_version":"m","frames":[null]}""" },
        { "no timestamp", """{"model_version":"m","frames":[{"caption":"x"}]}""" },
        { "negative timestamp", """{"model_version":"m","frames":[{"timestamp":-0.1,"caption":"x"}]}""" },
        { "timestamp past the duration", """{"model_version":"m","frames":[{"timestamp":3600,"caption":"x"}]}""" },
        { "timestamp as text", """{"model_version":"m","frames":[{"timestamp":"noon","caption":"x"}]}""" },
        { "caption over 1000 characters", $$"""{"model_version":"m","frames":[{"timestamp":0,"caption":"{{new string('a', 1001)}}"}]}""" },
        { "caption with a NUL", """{"model_version":"m","frames":[{"timestamp":0,"caption":"a\u0000b"}]}""" },
        { "object without class", """{"model_version":"m","frames":[{"timestamp":0,"detected_objects":[{"confidence":0.5,"bbox":[0,0,1,1]}]}]}""" },
        { "confidence above 1", """{"model_version":"m","frames":[{"timestamp":0,"detected_objects":[{"class":"car","confidence":1.01,"bbox":[0,0,1,1]}]}]}""" },
        { "negative confidence", """{"model_version":"m","frames":[{"timestamp":0,"detected_objects":[{"class":"car","confidence":-0.2,"bbox":[0,0,1,1]}]}]}""" },
        { "no confidence", """{"model_version":"m","frames":[{"timestamp":0,"detected_objects":[{"class":"car","bbox":[0,0,1,1]}]}]}""" },
        { "bbox of three numbers", """{"model_version":"m","frames":[{"timestamp":0,"detected_objects":[{"class":"car","confidence":0.5,"bbox":[0,0,1]}]}]}""" },
        { "bbox with a negative", """{"model_version":"m","frames":[{"timestamp":0,"detected_objects":[{"class":"car","confidence":0.5,"bbox":[0,-1,1,1]}]}]}""" },
        { "bbox of text", """{"model_version":"m","frames":[{"timestamp":0,"detected_objects":[{"class":"car","confidence":0.5,"bbox":["a","b","c","d"]}]}]}""" },
        { "no bbox", """{"model_version":"m","frames":[{"timestamp":0,"detected_objects":[{"class":"car","confidence":0.5}]}]}""" },
        { "a huge number", """{"model_version":"m","frames":[{"timestamp":1e999,"caption":"x"}]}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task InvalidResults_Are400_AndStoreNothing(string what, string body)
    {
        var video = await fixture.NewProbedVideoAsync();

        var response = await fixture.CreateClient().SendRawAsync(HttpMethod.Post, $"/surveillance/videos/{video.VideoId}/results",
            video.ProcessorToken, body, "application/json");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()), what);
        await AssertStillAwaitingAsync(video);
    }

    [Fact]
    public async Task MoreThan10000FramesInOneCall_Are400()
    {
        var video = await fixture.NewProbedVideoAsync();
        var frames = Enumerable.Range(0, 10_001).Select(i => Frame(0.5, "")).ToArray();

        var response = await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId, new { model_version = "m", frames });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("10000", problem["detail"]!.GetValue<string>());
        await AssertStillAwaitingAsync(video);
    }

    [Fact]
    public async Task ExactlyTheDuration_AndZero_AreValidTimestamps()
    {
        var video = await fixture.NewProbedVideoAsync();
        var admin = await fixture.AdminTokenOnceAsync();
        var media = (await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/videos/{video.VideoId}", admin)).ReadJsonAsync())["media"]!;
        var duration = media["duration_seconds"]!.GetValue<double>();

        var response = await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId,
            new { model_version = "m", frames = new[] { Frame(0, "start"), Frame(duration, "end") } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task AssertStillAwaitingAsync(ProbedVideo video)
    {
        var metadata = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/videos/{video.VideoId}", await fixture.AdminTokenOnceAsync())).ReadJsonAsync();
        Assert.Equal("awaiting_results", metadata["status"]!.GetValue<string>());
        Assert.Equal(0, metadata["frame_count"]!.GetValue<int>());
    }
}
