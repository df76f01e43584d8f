using System.Net;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Videos.VideoRequests;

namespace Surveillance.Tests.Videos;

/// <summary>Uploads limited to <see cref="MaxBytes"/> bytes, so that the limit is cheap to pass.</summary>
public sealed class SmallUploadLimitFixture : VideosFixture
{
    public const int MaxBytes = 200_000;

    protected override TestSettings CreateSettings() => new()
    {
        Overrides = new() { ["Uploads:MaxBytes"] = MaxBytes.ToString() },
    };
}

/// <summary>
/// API.md "Videos": over the limit is 413 FILE_TOO_LARGE, answered from Content-Length before the
/// body is read, and enforced while streaming when there is no Content-Length; a refused upload
/// leaves nothing behind.
/// </summary>
public sealed class UploadSizeLimitTests(SmallUploadLimitFixture fixture) : IClassFixture<SmallUploadLimitFixture>
{
    private const int Oversized = 8 * 1024 * 1024;

    [Fact]
    public async Task DeclaredContentLength_OverTheLimit_Is413_BeforeTheBodyIsRead()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var content = PaddedMp4(fixture.Samples.Bytes("h264.mp4"), Oversized, seed: 1);
        var declared = (await Form(projectId, new MemoryStream(content)).ReadAsByteArrayAsync()).LongLength;
        var source = new CountingStream(content);

        var response = await fixture.CreateStreamingClient().PostMultipartAsync(token, Form(projectId, source).WithLength(declared));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "FILE_TOO_LARGE");
        Assert.True(source.BytesRead < SmallUploadLimitFixture.MaxBytes,
            $"the server let {source.BytesRead} bytes of the body be sent before refusing it");
        AssertNothingStored(fixture.VideoPath, projectId);
        await AssertNoVideosAsync(projectId);
    }

    [Fact]
    public async Task ChunkedUpload_WithoutContentLength_Is413_OnceTheLimitIsPassedWhileStreaming()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var source = new CountingStream(PaddedMp4(fixture.Samples.Bytes("h264.mp4"), Oversized, seed: 2));
        var form = Form(projectId, source);
        Assert.Null(form.Headers.ContentLength);

        var response = await fixture.CreateStreamingClient().PostMultipartAsync(token, form);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "FILE_TOO_LARGE");
        // Nothing announced the size, so the server had to read up to the limit, and it stopped soon after.
        Assert.InRange(source.BytesRead, SmallUploadLimitFixture.MaxBytes, SmallUploadLimitFixture.MaxBytes + SegmentSize);
        AssertNothingStored(fixture.VideoPath, projectId);
        await AssertNoVideosAsync(projectId);
    }

    [Fact]
    public async Task ChunkedUpload_OneByteOverTheLimit_Is413_AndExactlyTheLimit_IsAccepted()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var mp4 = fixture.Samples.Bytes("h264.mp4");
        var http = fixture.CreateStreamingClient();

        var over = await http.PostMultipartAsync(token, Form(projectId, new CountingStream(Mp4OfLength(mp4, SmallUploadLimitFixture.MaxBytes + 1, seed: 3))));

        await over.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "FILE_TOO_LARGE");
        AssertNothingStored(fixture.VideoPath, projectId);

        var exact = Mp4OfLength(mp4, SmallUploadLimitFixture.MaxBytes, seed: 4);
        var accepted = await http.PostMultipartAsync(token, Form(projectId, new CountingStream(exact)));

        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var videoId = (await accepted.ReadJsonAsync())["video_id"]!.GetValue<string>();
        Assert.Equal(exact, await http.DownloadBytesAsync(token, videoId));
    }

    private static RawMultipart Form(string projectId, Stream file) =>
        new RawMultipart().Field("project_id", projectId).File("big.mp4", file).End();

    private async Task AssertNoVideosAsync(string projectId)
    {
        var project = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", await fixture.AdminTokenOnceAsync())).ReadJsonAsync();
        Assert.Empty(project["videos"]!.AsArray());
    }
}
