using System.Net;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Videos.VideoRequests;

namespace Surveillance.Tests.Videos;

/// <summary>
/// Someone with write access to the video directory changes a stored file. The download must
/// never hand out the original or altered bytes as a complete answer: it is a 500 before
/// streaming (the reader verifies the header and the final segment when it opens), or the
/// response is cut short when a later segment fails its check mid-stream.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class StoredVideoTamperingTests(VideosFixture fixture)
{
    private const int Length = (3 * SegmentSize) + 777; // four segments, the last one short

    [Theory]
    [InlineData(0, 100)]            // the first segment
    [InlineData(1, 500_000)]        // a middle segment: the first one may already be on its way
    [InlineData(2, SegmentSize + 3)] // a middle segment's tag
    [InlineData(3, 100)]            // the final segment
    public async Task FlippedByte_InAStoredSegment_IsNeverServed(int segment, int at)
    {
        var (token, projectId, videoId, content) = await UploadAsync(seed: 1);
        var path = fixture.StoredPath(projectId, videoId);

        await FlipAsync(path, SegmentOffset(segment) + at, 0x01);

        await AssertNotServedAsync(token, videoId, content, Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(63)]
    public async Task FlippedByte_InTheHeader_Is500_BeforeAnyByteIsSent(int at)
    {
        var (token, projectId, videoId, _) = await UploadAsync(seed: 2);

        await FlipAsync(fixture.StoredPath(projectId, videoId), at, 0x80);

        var response = await fixture.CreateClient().DownloadAsync(token, videoId);
        await response.AssertProblemAsync(HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
    }

    [Theory]
    [InlineData(1)]                         // inside the final tag
    [InlineData(777 + TagLength)]           // exactly the final segment: a cut at a segment boundary
    [InlineData(777 + TagLength + 10_000)]  // into the segment before
    public async Task TruncatedFile_Is500_BeforeAnyByteIsSent(int cut)
    {
        var (token, projectId, videoId, _) = await UploadAsync(seed: 3);
        var path = fixture.StoredPath(projectId, videoId);

        await ModifyAsync(path, file => file.SetLength(file.Length - cut));

        var response = await fixture.CreateClient().DownloadAsync(token, videoId);
        await response.AssertProblemAsync(HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
    }

    [Fact]
    public async Task AppendedBytes_AreDetected_AndNotServed()
    {
        var (token, projectId, videoId, content) = await UploadAsync(seed: 4);

        await ModifyAsync(fixture.StoredPath(projectId, videoId), file =>
        {
            file.Seek(0, SeekOrigin.End);
            file.Write(new byte[TagLength + 100]);
        });

        await AssertNotServedAsync(token, videoId, content, Length);
    }

    [Theory]
    [InlineData(1)] // a middle segment
    [InlineData(3)] // the final segment
    public async Task Segment_SwappedInFromAnotherVideoOfTheSameSize_IsNeverServed(int segment)
    {
        var (token, projectId, victim, content) = await UploadAsync(seed: 5);
        var donor = await fixture.UploadVideoAsync(token, projectId, "donor.mp4", Mp4OfLength(fixture.Samples.Bytes("h264.mp4"), Length, seed: 6));
        var victimPath = fixture.StoredPath(projectId, victim);
        var donorBytes = await File.ReadAllBytesAsync(fixture.StoredPath(projectId, donor));
        Assert.Equal(new FileInfo(victimPath).Length, donorBytes.LongLength);
        var start = SegmentOffset(segment);
        var end = Math.Min(start + SegmentSize + TagLength, donorBytes.Length);

        await ModifyAsync(victimPath, file =>
        {
            file.Position = start;
            file.Write(donorBytes.AsSpan(start, end - start));
        });

        await AssertNotServedAsync(token, victim, content, Length);
        // The donor is untouched and still served in full.
        Assert.Equal(Length, (await fixture.CreateClient().DownloadBytesAsync(token, donor)).Length);
    }

    [Fact]
    public async Task WholeFile_ReplacedByAnotherVideosFile_Is500()
    {
        var (token, projectId, victim, _) = await UploadAsync(seed: 8);
        var donor = await fixture.UploadVideoAsync(token, projectId, "donor.mp4", Mp4OfLength(fixture.Samples.Bytes("h264.mp4"), Length, seed: 9));

        File.Copy(fixture.StoredPath(projectId, donor), fixture.StoredPath(projectId, victim), overwrite: true);

        var response = await fixture.CreateClient().DownloadAsync(token, victim);
        await response.AssertProblemAsync(HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
    }

    [Fact]
    public async Task Range_OverATamperedSegment_IsRefused_WhileAnUntouchedSegmentIsStillServed()
    {
        var (token, projectId, videoId, content) = await UploadAsync(seed: 10);
        await FlipAsync(fixture.StoredPath(projectId, videoId), SegmentOffset(1) + 10, 0x01);
        var http = fixture.CreateClient();

        await AssertNotServedAsync(token, videoId, content, Length, $"bytes={SegmentSize - 50}-{SegmentSize + 50}");
        await AssertNotServedAsync(token, videoId, content, Length, $"bytes={SegmentSize}-{SegmentSize + 99}");

        // Each segment is authenticated on its own: bytes from intact segments are still genuine.
        var intact = await http.DownloadAsync(token, videoId, $"bytes={2 * SegmentSize}-{(2 * SegmentSize) + 99}");
        Assert.Equal(HttpStatusCode.PartialContent, intact.StatusCode);
        Assert.Equal(content.AsSpan(2 * SegmentSize, 100).ToArray(), await intact.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task MissingFile_Is500_NotAnEmptyVideo()
    {
        var (token, projectId, videoId, _) = await UploadAsync(seed: 11);

        File.Delete(fixture.StoredPath(projectId, videoId));

        var response = await fixture.CreateClient().DownloadAsync(token, videoId);
        await response.AssertProblemAsync(HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
    }

    private static int SegmentOffset(int segment) => HeaderLength + (segment * (SegmentSize + TagLength));

    private async Task<(string Token, string ProjectId, string VideoId, byte[] Content)> UploadAsync(int seed)
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var content = Mp4OfLength(fixture.Samples.Bytes("h264.mp4"), Length, seed);
        var videoId = await fixture.UploadVideoAsync(token, projectId, "victim.mp4", content);
        Assert.Equal(content, await fixture.CreateClient().DownloadBytesAsync(token, videoId)); // intact before the change
        return (token, projectId, videoId, content);
    }

    private static Task FlipAsync(string path, long offset, byte mask) => ModifyAsync(path, file =>
    {
        file.Position = offset;
        var value = (byte)file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(value ^ mask));
    });

    private static async Task ModifyAsync(string path, Action<FileStream> change)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        change(file);
        await file.FlushAsync();
    }

    /// <summary>
    /// The download is refused: a 500 problem before any content, or a body that breaks off
    /// (an error while reading, or fewer bytes than announced). Never a complete 2xx body.
    /// </summary>
    private async Task AssertNotServedAsync(string token, string videoId, byte[] original, long length, string? range = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/surveillance/videos/{videoId}/content");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        HttpResponseMessage response;
        try
        {
            response = await fixture.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return; // aborted before the response started
        }

        if (!response.IsSuccessStatusCode)
        {
            await response.AssertProblemAsync(HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
            return;
        }

        var received = new MemoryStream();
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.CopyToAsync(received);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            Assert.True(received.Length < (response.Content.Headers.ContentLength ?? length), "the whole body arrived before the abort");
            return;
        }

        var announced = response.Content.Headers.ContentLength;
        if (announced is { } expected && received.Length < expected)
        {
            return; // cut short: the client can tell the body is incomplete
        }

        Assert.Fail($"a tampered video was served as a complete {(int)response.StatusCode} body of {received.Length} bytes "
            + $"(announced {announced}, original {original.Length}, same as original: {received.ToArray().AsSpan().SequenceEqual(original)})");
    }
}
