using System.Net;
using System.Net.Http.Headers;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Processing;

namespace Surveillance.Tests.Footage;

/// <summary>
/// API.md "Videos": <c>GET /surveillance/frame/{frame_id}</c> and
/// <c>GET /surveillance/videos/{video_id}/thumbnail</c> — JPEGs decoded from the encrypted video,
/// under the metadata's access rules, with bad input refused as problem+json.
/// </summary>
[Collection(SharedProcessingCluster.Name)]
public sealed class FrameImageTests(ProcessingFixture fixture)
{
    [Fact]
    public async Task FrameImage_IsAJpegOfTheVideosOwnSize_PrivatelyCacheable_WithAnETag()
    {
        var (video, frameIds) = await VideoWithFramesAsync();

        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/frame/{frameIds[0]}", video.ProcessorToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal((64, 48), JpegSize(await response.Content.ReadAsByteArrayAsync()));
        Assert.True(response.Headers.CacheControl!.Private);
        Assert.NotNull(response.Headers.CacheControl.MaxAge);
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task Width_ScalesWithTheAspectKept_AndARepeatWithTheETag_IsNotModified()
    {
        var (video, frameIds) = await VideoWithFramesAsync();
        var http = fixture.CreateClient();

        var scaled = await http.SendAsync(HttpMethod.Get, $"/surveillance/frame/{frameIds[1]}?width=32", video.ProcessorToken);
        Assert.Equal(HttpStatusCode.OK, scaled.StatusCode);
        Assert.Equal((32, 24), JpegSize(await scaled.Content.ReadAsByteArrayAsync()));

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/surveillance/frame/{frameIds[1]}?width=32");
        again.Headers.Authorization = new AuthenticationHeaderValue("Bearer", video.ProcessorToken);
        again.Headers.IfNoneMatch.Add(scaled.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(again)).StatusCode);

        var other = await http.SendAsync(HttpMethod.Get, $"/surveillance/frame/{frameIds[1]}?width=48", video.ProcessorToken);
        Assert.NotEqual(scaled.Headers.ETag, other.Headers.ETag);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("31")]
    [InlineData("1921")]
    [InlineData("-64")]
    [InlineData("64.5")]
    public async Task WidthOutOfRangeOrNotANumber_IsA400ValidationProblem(string width)
    {
        var (video, frameIds) = await VideoWithFramesAsync();
        var http = fixture.CreateClient();

        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/frame/{frameIds[0]}?width={width}", video.ProcessorToken))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{video.VideoId}/thumbnail?width={width}", video.ProcessorToken))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Outsider_AskingForAFramesPicture_GetsTheSame404_AsForAFrameThatNeverExisted()
    {
        var (video, frameIds) = await VideoWithFramesAsync();
        var (_, outsider) = await fixture.NewUserAsync("viewer");
        var http = fixture.CreateClient();

        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/frame/{frameIds[0]}", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{video.VideoId}/thumbnail", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/frame/{video.VideoId}-999999", video.ProcessorToken)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, "/surveillance/frame/not-a-frame", video.ProcessorToken)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{new string('0', 32)}/thumbnail", video.ProcessorToken)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(HttpMethod.Get, $"/surveillance/frame/{frameIds[0]}", null)).StatusCode);
    }

    [Fact]
    public async Task Thumbnail_Is320PixelsWideByDefault_AndTheWidthAsked()
    {
        var video = await fixture.NewProbedVideoAsync();
        var http = fixture.CreateClient();

        var thumbnail = await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{video.VideoId}/thumbnail", video.ProcessorToken);
        var small = await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{video.VideoId}/thumbnail?width=40", video.ProcessorToken);

        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType!.MediaType);
        Assert.Equal((320, 240), JpegSize(await thumbnail.Content.ReadAsByteArrayAsync()));
        Assert.Equal((40, 30), JpegSize(await small.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task Thumbnail_OfAVideoThatFailedProbing_IsA409Conflict()
    {
        var admin = await fixture.AdminTokenOnceAsync();
        var projectId = await fixture.NewProjectAsync();
        var spoofed = fixture.Samples.Header("h264.mp4").Take(32).Concat(new byte[32 * 1024]).ToArray();
        var videoId = await fixture.UploadVideoAsync(admin, projectId, "spoofed.mp4", spoofed);

        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}/thumbnail", admin);

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "CONFLICT");
    }

    private async Task<(ProbedVideo Video, List<string> FrameIds)> VideoWithFramesAsync()
    {
        var video = await fixture.NewProbedVideoAsync();
        var posted = await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId, new
        {
            model_version = "test",
            frames = new[]
            {
                ProcessingFixture.Frame(0.2, "a gate", ProcessingFixture.Detected("person")),
                ProcessingFixture.Frame(0.6, "a gate later"),
            },
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var frameIds = (await posted.ReadJsonAsync())["frame_ids"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
        return (video, frameIds);
    }

    /// <summary>Width and height from the JPEG's start-of-frame segment (SOF0–SOF2).</summary>
    private static (int Width, int Height) JpegSize(byte[] jpeg)
    {
        Assert.True(jpeg.Length > 4 && jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG");
        var i = 2;
        while (i + 9 < jpeg.Length)
        {
            Assert.Equal(0xFF, jpeg[i]);
            var marker = jpeg[i + 1];
            var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker is >= 0xC0 and <= 0xC2)
            {
                return ((jpeg[i + 7] << 8) | jpeg[i + 8], (jpeg[i + 5] << 8) | jpeg[i + 6]);
            }

            i += 2 + length;
        }

        Assert.Fail("the JPEG has no start-of-frame segment");
        return default;
    }
}
