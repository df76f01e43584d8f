using System.Net;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Videos.VideoRequests;

namespace Surveillance.Tests.Videos;

/// <summary>
/// An operator may upload into a free project id: the project is created for the uploader. The
/// attack: upload into an id that is free when the upload starts and that someone else's project
/// takes while the file streams — the video must not land in the stranger's project. And the
/// early answers must not tell which project ids exist.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class UploadProjectRaceTests(VideosFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UploadIntoAProjectCreatedByOthersMidStream_Is404_AndStoresNoBytesAndNoVideo()
    {
        var (uploader, token) = await fixture.NewUserAsync("operator");
        var projectId = "race-" + Guid.NewGuid().ToString("N")[..12];
        var content = PaddedMp4(fixture.Samples.Bytes("h264.mp4"), 256 * 1024, seed: 13);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var body = new GatedStream(content, firstBytes: 64 * 1024, gate.Task);
        var form = new RawMultipart().Field("project_id", projectId).File("race.mp4", body).End();

        var upload = fixture.CreateStreamingClient().PostMultipartAsync(token, form);
        // The early check has passed (the id was free) and the file is being stored.
        await WaitUntilAsync(() => FilesUnder(Path.Combine(fixture.VideoPath, projectId)).Length > 0, upload);
        var admin = await fixture.AdminTokenOnceAsync();
        var created = await fixture.CreateClient().SendAsync(HttpMethod.Post, "/surveillance/projects", admin,
            new { project_id = projectId, name = "Someone else's" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        gate.SetResult();

        await (await upload).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        AssertNothingStored(fixture.VideoPath, projectId);
        var project = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", admin)).ReadJsonAsync();
        Assert.Empty(project["videos"]!.AsArray());
        Assert.DoesNotContain(uploader, project["members"]!.AsArray().Select(m => m!.GetValue<string>()));
        var visible = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, "/surveillance/videos", token)).ReadJsonAsync();
        Assert.Empty(visible["videos"]!.AsArray());
    }

    [Fact]
    public async Task UploadIntoAFreeProjectId_StillCreatesItForTheUploader()
    {
        var (uploader, token) = await fixture.NewUserAsync("operator");
        var projectId = "free-" + Guid.NewGuid().ToString("N")[..12];

        var response = await fixture.CreateClient().UploadAsync(token, projectId, "mine.mp4", fixture.Samples.Bytes("h264.mp4"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var videoId = (await response.ReadJsonAsync())["video_id"]!.GetValue<string>();
        var project = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", token)).ReadJsonAsync();
        Assert.Equal([uploader], project["members"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal([videoId], project["videos"]!.AsArray().Select(v => v!["video_id"]!.GetValue<string>()));
        await fixture.WaitForProbeAsync(token, videoId);
    }

    [Fact]
    public async Task TextFileToAnExistingAndToAFreeProjectId_GetTheSameAnswer_SoIdsCannotBeEnumerated()
    {
        var (_, outsider) = await fixture.NewUserAsync("operator");
        var existing = await fixture.NewProjectAsync();
        var free = "free-" + Guid.NewGuid().ToString("N")[..12];
        var text = "not a video"u8.ToArray();
        var http = fixture.CreateClient();

        var toExisting = await http.UploadAsync(outsider, existing, "notes.txt", text);
        var toFree = await http.UploadAsync(outsider, free, "notes.txt", text);
        var inQueryToExisting = await http.PostMultipartAsync(outsider,
            new MultipartFormDataContent { { FilePart(text), "file", "notes.txt" } }, $"/surveillance/upload?project_id={existing}");
        var inQueryToFree = await http.PostMultipartAsync(outsider,
            new MultipartFormDataContent { { FilePart(text), "file", "notes.txt" } }, $"/surveillance/upload?project_id={free}");

        var answers = new[] { toExisting, toFree, inQueryToExisting, inQueryToFree };
        foreach (var answer in answers)
        {
            await answer.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_FORMAT");
        }

        var details = await Task.WhenAll(answers.Select(async a => (await a.ReadJsonAsync())["detail"]!.GetValue<string>()));
        Assert.Single(details.Distinct());
        AssertNothingStored(fixture.VideoPath, existing);
        AssertNothingStored(fixture.VideoPath, free);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Task<HttpResponseMessage> upload)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (upload.IsCompleted)
            {
                Assert.Fail($"the upload ended early: {(int)(await upload).StatusCode} {await (await upload).Content.ReadAsStringAsync()}");
            }

            Assert.True(DateTime.UtcNow < deadline, "the upload never started storing its file");
            await Task.Delay(20);
        }
    }

    /// <summary>Serves the first bytes at once and the rest only once the gate opens: a file still streaming.</summary>
    private sealed class GatedStream(byte[] bytes, int firstBytes, Task gate) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= firstBytes)
            {
                await gate.WaitAsync(cancellationToken);
            }

            var end = _position < firstBytes ? firstBytes : bytes.Length;
            var count = Math.Min(buffer.Length, end - _position);
            bytes.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
