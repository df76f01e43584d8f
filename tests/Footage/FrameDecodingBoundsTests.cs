using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Surveillance.Errors;
using Surveillance.Processing;
using Surveillance.Videos;

namespace Surveillance.Tests.Footage;

/// <summary>
/// Availability is security: frame decoding is bounded by a slot count, a short wait for a slot and a
/// time limit, each refused as Unavailable (503 + Retry-After at the API), never queued without end;
/// decoded images come from memory the second time.
/// </summary>
public sealed class FrameDecodingBoundsTests
{
    private static readonly FrameImageRequest Request = new(new string('a', 32), "footage", 1.0, 320);
    private static readonly ContentKey Key = new(new byte[32], "00");

    [Fact]
    public async Task DecoderThatNeverFinishes_IsKilledAtTheTimeLimit_AndAnsweredAsUnavailable()
    {
        using var fake = new FakeMediaTool("exec sleep 30");
        using var images = NewImages(fake, o => o.DecodeTimeoutSeconds = 1);
        var clock = Stopwatch.StartNew();

        var refusal = await Assert.ThrowsAsync<DomainException>(() => images.RenderAsync(Request, () => Task.FromResult(Key)));

        Assert.Equal(DomainError.Unavailable, refusal.Error);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task FloodOfDecodes_BeyondTheSlots_IsShedAsUnavailable_InsteadOfQueueing()
    {
        using var fake = new FakeMediaTool("exec sleep 30");
        using var images = NewImages(fake, o => (o.MaxConcurrentDecodes, o.DecodeQueueSeconds, o.DecodeTimeoutSeconds) = (1, 0, 3));
        var busy = images.RenderAsync(Request, () => Task.FromResult(Key));

        var refusal = await Assert.ThrowsAsync<DomainException>(() => images.RenderAsync(Request with { Timestamp = 2 }, () => Task.FromResult(Key)));

        Assert.Equal(DomainError.Unavailable, refusal.Error);
        await Assert.ThrowsAsync<DomainException>(() => busy);
    }

    [Fact]
    public async Task VideoThatCannotBeDecodedThere_IsAConflict()
    {
        using var fake = new FakeMediaTool("echo 'Invalid data found when processing input' >&2; exit 1");
        using var images = NewImages(fake);

        var refusal = await Assert.ThrowsAsync<DomainException>(() => images.RenderAsync(Request, () => Task.FromResult(Key)));

        Assert.Equal(DomainError.Conflict, refusal.Error);
    }

    [Fact]
    public async Task SamePicture_IsDecodedOnce_ThenServedFromMemory_AndAnotherWidthIsDecodedAgain()
    {
        using var fake = new FakeMediaTool("echo run >> \"$DIR/runs\"; printf 'jpeg'");
        using var images = NewImages(fake);

        var first = await images.RenderAsync(Request, () => Task.FromResult(Key));
        var second = await images.RenderAsync(Request, () => throw new InvalidOperationException("a cached picture needs no key"));
        await images.RenderAsync(Request with { Width = 64 }, () => Task.FromResult(Key));

        Assert.Equal(first, second);
        Assert.Equal(2, fake.Read("runs")!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task DecoderThreads_AreAnInputOption_SoTheDecoderAndNotOnlyTheEncoderIsBounded()
    {
        using var fake = new FakeMediaTool("printf '%s\n' \"$@\" > \"$DIR/args\"; printf 'jpeg'");
        using var images = NewImages(fake, o => o.DecoderThreads = 3);

        await images.RenderAsync(Request, () => Task.FromResult(Key));

        var arguments = fake.Read("args")!.Split('\n');
        var threads = Array.IndexOf(arguments, "-threads");
        Assert.True(threads >= 0, "ffmpeg was not given -threads");
        Assert.Equal("3", arguments[threads + 1]);
        Assert.True(threads < Array.IndexOf(arguments, "-i"), "-threads must come before -i to apply to the decoder");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    public void DecoderThreadsOutOfRange_FailsStartUp(int threads)
    {
        var result = new ProcessingOptionsValidator().Validate(null, new ProcessingOptions { DecoderThreads = threads });

        Assert.True(result.Failed);
        Assert.Contains("Processing:DecoderThreads must be 1 to 16.", result.Failures!);
    }

    private static FrameImages NewImages(FakeMediaTool ffmpeg, Action<ProcessingOptions>? change = null)
    {
        var options = new ProcessingOptions { FfmpegPath = ffmpeg.Path };
        change?.Invoke(options);
        var wrapped = Options.Create(options);
        return new FrameImages(new FakeViews(), new FfmpegFrameGrabber(wrapped), new NoAudit(), wrapped, NullLogger<FrameImages>.Instance);
    }

    private sealed class FakeViews : IDecryptedVideoViews
    {
        public Task<IDecryptedVideoView> OpenAsync(string videoId, string projectId, ContentKey key, TimeSpan lifetime, CancellationToken cancellationToken) =>
            Task.FromResult<IDecryptedVideoView>(new FakeView());
    }

    private sealed class FakeView : IDecryptedVideoView
    {
        public Uri Url { get; } = new("http://127.0.0.1:9/" + new string('b', 64));
        public bool IntegrityFailed => false;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class NoAudit : IIntegrityFailureAudit
    {
        public Task RecordAsync(string videoId, string projectId, string subject, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
