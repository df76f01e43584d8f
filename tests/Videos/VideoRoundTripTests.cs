using System.Net;
using System.Text;
using Npgsql;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Storage;
using static Surveillance.Tests.Videos.VideoRequests;

namespace Surveillance.Tests.Videos;

/// <summary>API.md "Videos": real videos of every container go in encrypted and come out byte for byte.</summary>
[Collection(SharedVideosCluster.Name)]
public sealed class VideoRoundTripTests(VideosFixture fixture)
{
    public static TheoryData<string> EverySample() => [.. SampleVideos.Containers.Keys];

    [Theory]
    [MemberData(nameof(EverySample))]
    public async Task RealVideo_OfEveryContainer_UploadsWithAReceipt_AndDownloadsByteExact(string sample)
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = "Yard-Cam_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var content = fixture.Samples.Bytes(sample);
        var extension = SampleVideos.Containers[sample];
        var fileName = "cam 1 " + Path.GetFileNameWithoutExtension(sample) + extension;
        var http = fixture.CreateClient();

        var upload = await http.UploadAsync(token, projectId, fileName, content, "north gate");

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var receipt = await upload.ReadJsonAsync();
        var videoId = receipt["video_id"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{32}$", videoId);
        Assert.Equal("Video uploaded successfully", receipt["message"]!.GetValue<string>());
        Assert.Equal(videoId, receipt["job_id"]!.GetValue<string>());
        Assert.Equal(projectId.ToLowerInvariant(), receipt["project_id"]!.GetValue<string>());
        Assert.Equal(fileName, receipt["filename"]!.GetValue<string>());
        Assert.Equal(content.Length, receipt["size_bytes"]!.GetValue<long>());
        Assert.Equal(Sha256Hex(content), receipt["sha256"]!.GetValue<string>());
        Assert.Equal("queued", receipt["status"]!.GetValue<string>());
        Assert.EndsWith($"/surveillance/videos/{videoId}", upload.Headers.Location?.OriginalString);

        var download = await http.DownloadAsync(token, videoId);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var downloaded = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(Sha256Hex(content), Sha256Hex(downloaded));
        Assert.Equal(content, downloaded);
        Assert.Equal(ContentTypeOf(extension), download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(content.Length, download.Content.Headers.ContentLength);
        Assert.Contains("bytes", download.Headers.AcceptRanges);
        var disposition = download.Content.Headers.ContentDisposition;
        Assert.Equal("attachment", disposition?.DispositionType);
        Assert.Equal(fileName, disposition?.FileNameStar);

        var metadata = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}", token)).ReadJsonAsync();
        Assert.Equal(projectId.ToLowerInvariant(), metadata["project_id"]!.GetValue<string>());
        Assert.Equal(ContentTypeOf(extension), metadata["content_type"]!.GetValue<string>());
        Assert.Equal(Sha256Hex(content), metadata["sha256"]!.GetValue<string>());
        Assert.Equal(operatorName, metadata["uploaded_by"]!.GetValue<string>());
        Assert.Equal("north gate", metadata["description"]!.GetValue<string>());

        // Stored as <VideoPath>/<project>/<video>.svv: header, then each segment's ciphertext and tag.
        var stored = fixture.StoredPath(projectId.ToLowerInvariant(), videoId);
        Assert.Equal(EncryptedLength(content.Length), new FileInfo(stored).Length);
    }

    /// <summary>
    /// A file of many segments goes through the upload's whole pipeline: several segments are
    /// encrypted and written while the next ones arrive, and the file is flushed to disk in the
    /// background as it grows (more than one flush interval here). Nothing may be reordered or lost.
    /// </summary>
    [Fact]
    public async Task LargeUpload_OfManySegments_WrittenWhileItArrives_DownloadsByteExact()
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var projectId = "big-" + Guid.NewGuid().ToString("N")[..10];
        var content = PaddedMp4(fixture.Samples.Bytes("h264.mp4"), (70 * SegmentSize) + 12_345, seed: 70);
        var http = fixture.CreateClient();

        var upload = await http.UploadAsync(token, projectId, "long shift.mp4", content);

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var receipt = await upload.ReadJsonAsync();
        Assert.Equal(Sha256Hex(content), receipt["sha256"]!.GetValue<string>());
        var videoId = receipt["video_id"]!.GetValue<string>();
        await fixture.WaitForProbeAsync(token, videoId);
        Assert.Equal(EncryptedLength(content.Length), new FileInfo(fixture.StoredPath(projectId, videoId)).Length);
        Assert.Equal(content, await http.DownloadBytesAsync(token, videoId));
    }

    [Fact]
    public async Task Download_OfAUnicodeName_IsAnAttachment_WithTheExactNameInFilenameStar()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        const string name = "Überwachung_カメラ 🎥.mp4";
        var http = fixture.CreateClient();
        var videoId = await fixture.UploadVideoAsync(token, projectId, name, fixture.Samples.Bytes("h264.mp4"));

        var download = await http.DownloadAsync(token, videoId);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var disposition = download.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal(name, disposition.FileNameStar);
        // The plain filename parameter is the ASCII fallback: no raw non-ASCII bytes in a header.
        Assert.All(download.Content.Headers.GetValues("Content-Disposition").Single(), c => Assert.True(c < 128, $"non-ASCII '{c}' in Content-Disposition"));
    }

    [Fact]
    public async Task ProjectIdInTheQuery_IsAccepted_InsteadOfTheFormField()
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var projectId = "q-" + Guid.NewGuid().ToString("N")[..10];
        var content = fixture.Samples.Bytes("vp8.webm");
        var form = new MultipartFormDataContent { { FilePart(content), "file", "clip.webm" } };

        var response = await fixture.CreateClient().PostMultipartAsync(token, form, $"/surveillance/upload?project_id={projectId}");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.ReadJsonAsync();
        Assert.Equal(projectId, receipt["project_id"]!.GetValue<string>());
        Assert.Equal(content, await fixture.CreateClient().DownloadBytesAsync(token, receipt["video_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task UploadedVideo_IsListed_InItsProject_WithStatistics_AndInTheVideoList()
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var projectId = "s-" + Guid.NewGuid().ToString("N")[..10];
        var mp4 = fixture.Samples.Bytes("h264.mp4");
        var avi = fixture.Samples.Bytes("mpeg4.avi");
        var first = await fixture.UploadVideoAsync(token, projectId, "a.mp4", mp4);
        var second = await fixture.UploadVideoAsync(token, projectId, "b.avi", avi);
        var http = fixture.CreateClient();

        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", token)).ReadJsonAsync();
        var list = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos?project_id={projectId}", token)).ReadJsonAsync();

        string[] expected = [.. new[] { first, second }.Order()];
        Assert.Equal(expected, project["videos"]!.AsArray().Select(v => v!["video_id"]!.GetValue<string>()).Order());
        Assert.Equal(2, project["statistics"]!["video_count"]!.GetValue<int>());
        Assert.Equal(mp4.Length + avi.Length, project["statistics"]!["total_size_bytes"]!.GetValue<long>());
        Assert.Equal(expected, list["videos"]!.AsArray().Select(v => v!["video_id"]!.GetValue<string>()).Order());
    }

    /// <summary>
    /// API.md: "The content is never written to disk unencrypted." A distinctive marker, repeated
    /// across more than one segment, must not appear in any stored file, temporary or final, nor
    /// in the grain state in PostgreSQL; the download still returns it.
    /// </summary>
    [Fact]
    public async Task NoPlaintextAtRest_MarkerBytes_AppearInNoStoredFile_NorInTheDatabase()
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var projectId = "m-" + Guid.NewGuid().ToString("N")[..10];
        var marker = Encoding.ASCII.GetBytes("PLAINTEXT-MARKER-" + Guid.NewGuid().ToString("N"));
        var content = fixture.Samples.Bytes("h264.mp4").Concat(Enumerable.Repeat(marker, 50_000).SelectMany(m => m)).ToArray();
        Assert.True(content.Length > 2 * SegmentSize);

        var videoId = await fixture.UploadVideoAsync(token, projectId, "marked.mp4", content);

        Assert.True(File.Exists(fixture.StoredPath(projectId, videoId)));
        var testDataRoot = Path.GetDirectoryName(fixture.VideoPath)!;
        foreach (var file in FilesUnder(fixture.VideoPath).Concat(FilesUnder(testDataRoot)).Distinct())
        {
            Assert.False(Contains(await ReadSharedAsync(file), marker), $"the plaintext marker is in {file}");
        }

        await using (var db = new NpgsqlConnection(TestDatabase.ConnectionString))
        {
            await db.OpenAsync();
            await using var query = new NpgsqlCommand(
                "select count(*) from orleansstorage where serviceid = @service and position(@marker in payloadbinary) > 0", db);
            query.Parameters.AddWithValue("service", fixture.Cluster.Settings.ServiceId);
            query.Parameters.AddWithValue("marker", marker);
            Assert.Equal(0L, (long)(await query.ExecuteScalarAsync())!);
        }

        var downloaded = await fixture.CreateClient().DownloadBytesAsync(token, videoId);
        Assert.True(Contains(downloaded, marker));
        Assert.Equal(content, downloaded);
    }

    private static string ContentTypeOf(string extension) => extension switch
    {
        ".mp4" => "video/mp4",
        ".mov" => "video/quicktime",
        ".avi" => "video/x-msvideo",
        ".mkv" => "video/x-matroska",
        ".webm" => "video/webm",
        _ => throw new ArgumentOutOfRangeException(nameof(extension)),
    };

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
        catch (FileNotFoundException)
        {
            return []; // another fixture removed its file meanwhile
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
