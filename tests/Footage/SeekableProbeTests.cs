using System.Security.Cryptography;
using Surveillance.Processing;

namespace Surveillance.Tests.Footage;

/// <summary>
/// Issue 15 §1: ffprobe reads the decrypted video through a seekable loopback view, so every real
/// layout probes — the index at the end or at the start, cues at the end — and broken files still
/// fail with a readable reason.
/// </summary>
public sealed class SeekableProbeTests(FootageSamples samples) : IClassFixture<FootageSamples>
{
    public static TheoryData<string> EveryLayout() => [.. FootageSamples.Layouts.Keys];

    [Theory]
    [MemberData(nameof(EveryLayout))]
    public async Task EveryLayout_IsProbed_ToItsSizeDurationAndRate(string sample)
    {
        var outcome = await ProbeAsync(samples.Bytes(sample));

        Assert.Null(outcome.Error);
        var media = Assert.IsType<Surveillance.Videos.MediaInfo>(outcome.Media);
        Assert.Equal((FootageSamples.Width, FootageSamples.Height), (media.Width, media.Height));
        Assert.InRange(media.DurationSeconds, FootageSamples.Duration - 0.15, FootageSamples.Duration + 0.15);
        Assert.Equal(FootageSamples.FrameRate, media.FrameRate, 1);
    }

    [Fact]
    public async Task TruncatedFile_WithItsIndexCutOff_FailsCleanly()
    {
        var whole = samples.Bytes("mpeg4-index-at-end.mp4");

        var outcome = await ProbeAsync(whole[..(whole.Length * 6 / 10)]);

        Assert.Null(outcome.Media);
        Assert.StartsWith("The content is not a decodable video", outcome.Error);
    }

    [Fact]
    public async Task GarbageAfterFtyp_FailsCleanly_AndTheErrorNeverShowsTheViewsToken()
    {
        var header = samples.Bytes("mpeg4-index-at-start.mp4")[..32];

        var outcome = await ProbeAsync([.. header, .. RandomNumberGenerator.GetBytes(64 * 1024)]);

        Assert.Null(outcome.Media);
        Assert.StartsWith("The content is not a decodable video", outcome.Error);
        Assert.DoesNotContain("127.0.0.1", outcome.Error);
        Assert.DoesNotMatch("[0-9a-f]{64}", outcome.Error);
    }

    private async Task<ProbeOutcome> ProbeAsync(byte[] content)
    {
        var stored = await samples.StoreAsync(content);
        var options = FootageSamples.Options();
        await using var server = samples.NewServer(options);
        await using var view = await server.OpenAsync(stored.VideoId, stored.ProjectId, stored.Key, TimeSpan.FromMinutes(1), CancellationToken.None);
        return await new FfprobeRunner(Microsoft.Extensions.Options.Options.Create(options)).ProbeAsync(view.Url, CancellationToken.None);
    }
}
