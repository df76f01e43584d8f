using System.Security.Cryptography;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Storage;

namespace Surveillance.Tests.Processing;

/// <summary>
/// API.md "Video processing": after upload the stored video is probed with ffprobe, decrypted on
/// the fly, and the job moves to <c>awaiting_results</c> with the media filled in — or to
/// <c>failed</c> with a readable error when the content is no decodable video.
/// </summary>
[Collection(SharedProcessingCluster.Name)]
public sealed class ProbeTests(ProcessingFixture fixture)
{
    public static TheoryData<string> EverySample() => [.. SampleVideos.Containers.Keys];

    [Theory]
    [MemberData(nameof(EverySample))]
    public async Task RealVideo_OfEveryContainer_IsProbed_AndAwaitsResults_WithItsMedia(string sample)
    {
        var admin = await fixture.AdminTokenOnceAsync();
        var projectId = await fixture.NewProjectAsync();
        var videoId = await fixture.UploadVideoAsync(admin, projectId, "cam" + SampleVideos.Containers[sample], fixture.Samples.Bytes(sample));

        var job = await fixture.WaitForProbeAsync(admin, videoId);

        Assert.Equal("awaiting_results", job["status"]!.GetValue<string>());
        Assert.Null(job["error"]);
        var video = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}", admin)).ReadJsonAsync();
        Assert.Equal("awaiting_results", video["status"]!.GetValue<string>());
        var media = video["media"]!;
        // The samples are 64x48 at 5 frames per second, one second long (tests/Storage, SampleVideos).
        Assert.Equal(64, media["width"]!.GetValue<int>());
        Assert.Equal(48, media["height"]!.GetValue<int>());
        Assert.InRange(media["duration_seconds"]!.GetValue<double>(), 0.9, 1.3);
        Assert.Equal(5.0, media["frame_rate"]!.GetValue<double>(), 2);
        Assert.False(string.IsNullOrEmpty(media["codec"]!.GetValue<string>()));
    }

    [Fact]
    public async Task FtypHeader_FollowedByGarbage_PassesTheUploadCheck_ButTheJobFails_WithAReadableError()
    {
        var admin = await fixture.AdminTokenOnceAsync();
        var projectId = await fixture.NewProjectAsync();
        var spoofed = fixture.Samples.Header("h264.mp4").Take(32).Concat(RandomNumberGenerator.GetBytes(64 * 1024)).ToArray();
        var videoId = await fixture.UploadVideoAsync(admin, projectId, "spoofed.mp4", spoofed);

        var job = await fixture.WaitForProbeAsync(admin, videoId);

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        var error = job["error"]!.GetValue<string>();
        Assert.StartsWith("The content is not a decodable video", error);
        Assert.DoesNotContain(fixture.VideoPath, error);
        Assert.Equal("failed", job["stages"]![1]!["status"]!.GetValue<string>());
        var video = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}", admin)).ReadJsonAsync();
        Assert.Equal("failed", video["status"]!.GetValue<string>());
        Assert.Null(video["media"]);
    }

    [Fact]
    public async Task Probe_NeverWritesThePlaintext_AnywhereUnderTheVideoDirectory()
    {
        var admin = await fixture.AdminTokenOnceAsync();
        var projectId = await fixture.NewProjectAsync();
        var content = fixture.Samples.Bytes("h264.mp4");
        var videoId = await fixture.UploadVideoAsync(admin, projectId, "plain.mp4", content);

        await fixture.WaitForProbeAsync(admin, videoId);

        var marker = content.AsSpan(content.Length / 2, 32).ToArray();
        foreach (var file in Directory.EnumerateFiles(fixture.VideoPath, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(-1, File.ReadAllBytes(file).AsSpan().IndexOf(marker));
        }

        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(fixture.VideoPath, projectId)), f => !f.EndsWith(".svv", StringComparison.Ordinal));
    }
}
