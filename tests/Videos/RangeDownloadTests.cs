using System.Net;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Videos.VideoRequests;

namespace Surveillance.Tests.Videos;

/// <summary>
/// API.md "Videos": the content supports a single byte <c>Range</c> (RFC 9110 §14): 206 with the
/// exact bytes, decrypting only the segments needed, across segment boundaries too; 416 with
/// <c>Content-Range: bytes */size</c> when nothing of the range exists.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class RangeDownloadTests(VideosFixture fixture)
{
    private const int Length = (3 * SegmentSize) + 12_345; // three full 1 MiB segments and a short final one

    public static TheoryData<string, long, long> Ranges() => new()
    {
        { "bytes=0-99", 0, 100 },
        { "bytes=1048500-1048700", 1_048_500, 201 }, // across the first segment boundary
        { "bytes=1048576-1048576", 1_048_576, 1 },   // the first byte of the second segment
        { "bytes=1048575-3145728", 1_048_575, 2_097_154 }, // last byte of segment 0 through first of segment 3
        { "bytes=-100", Length - 100, 100 },
        { $"bytes={Length - 5000}-", Length - 5000, 5000 },
        { "bytes=2500000-", 2_500_000, Length - 2_500_000 },
        { $"bytes={Length - 10}-{Length + 1000}", Length - 10, 10 }, // an end past the video is cut to it
        { $"bytes=-{Length + 1000}", 0, Length },                   // a suffix longer than the video is all of it
        { "bytes=0-", 0, Length },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task SatisfiableRange_Is206_WithExactlyThoseBytes(string range, long offset, long count)
    {
        var (token, videoId, content) = await UploadLargeAsync();

        var response = await fixture.CreateClient().DownloadAsync(token, videoId, range);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(content.AsSpan((int)offset, (int)count).ToArray(), body);
        Assert.Equal(count, response.Content.Headers.ContentLength);
        var contentRange = response.Content.Headers.ContentRange!;
        Assert.Equal("bytes", contentRange.Unit);
        Assert.Equal(offset, contentRange.From);
        Assert.Equal(offset + count - 1, contentRange.To);
        Assert.Equal(Length, contentRange.Length);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Theory]
    [InlineData("bytes={0}-")]
    [InlineData("bytes={0}-{1}")]
    [InlineData("bytes=5000000-6000000")]
    [InlineData("bytes=-0")]
    public async Task UnsatisfiableRange_Is416_WithTheVideoSize_AndNoContent(string template)
    {
        var (token, videoId, _) = await UploadLargeAsync();
        var range = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Length, Length + 10);

        var response = await fixture.CreateClient().DownloadAsync(token, videoId, range);

        await response.AssertProblemAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "VALIDATION_ERROR");
        Assert.True(response.Content.Headers.TryGetValues("Content-Range", out var contentRange),
            $"416 without Content-Range; headers: {response.Headers}{response.Content.Headers}");
        Assert.Equal($"bytes */{Length}", contentRange.Single());
    }

    [Fact]
    public async Task MultipleRanges_AreAnswered_WithTheWholeVideo()
    {
        var (token, videoId, content) = await UploadLargeAsync();

        var response = await fixture.CreateClient().DownloadAsync(token, videoId, "bytes=0-9,2000000-2000009");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Range_OfASmallSingleSegmentVideo_IsExact()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var content = fixture.Samples.Bytes("h264.mkv");
        var videoId = await fixture.UploadVideoAsync(token, projectId, "small.mkv", content);

        var response = await fixture.CreateClient().DownloadAsync(token, videoId, "bytes=10-29");

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content[10..30], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 10-29/{content.Length}", response.Content.Headers.ContentRange?.ToString());
    }

    private async Task<(string Token, string VideoId, byte[] Content)> UploadLargeAsync()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var content = Mp4OfLength(fixture.Samples.Bytes("h264.mp4"), Length, seed: 7);
        var videoId = await fixture.UploadVideoAsync(token, projectId, "large.mp4", content);
        return (token, videoId, content);
    }
}
