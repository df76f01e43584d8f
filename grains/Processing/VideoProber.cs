using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Surveillance.Storage;
using Surveillance.Telemetry;
using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>
/// Runs probes on this silo, at most <c>Processing:MaxConcurrentProbes</c> at once. A worker asks
/// the video grain for a ticket (the grain decides whether a probe is due and marks the job
/// <c>processing</c>), hands ffprobe a seekable decrypted view of the stored file, and reports the outcome. If this silo
/// dies mid-probe, the video grain's reminder queues the probe again after the timeout.
/// </summary>
public sealed class VideoProber(
    IGrainFactory grains,
    IDecryptedVideoViews views,
    FfprobeRunner ffprobe,
    IIntegrityFailureAudit integrity,
    SurveillanceMetrics metrics,
    IOptions<ProcessingOptions> options,
    ILogger<VideoProber> logger) : BackgroundService, IVideoProber
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, byte> _waiting = new(StringComparer.Ordinal);

    public void Schedule(string videoId)
    {
        if (_waiting.TryAdd(videoId, 0))
        {
            _queue.Writer.TryWrite(videoId);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.MaxConcurrentProbes).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await foreach (var videoId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            _waiting.TryRemove(videoId, out _);
            try
            {
                await ProbeAsync(videoId, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The job stays 'processing'; the video's reminder retries it after the timeout.
                logger.LogError(exception, "Probing video {VideoId} failed; its reminder will retry", videoId);
                metrics.ProbeFailed("error");
            }
        }
    }

    private async Task ProbeAsync(string videoId, CancellationToken cancellationToken)
    {
        var video = grains.GetGrain<IVideoGrain>(videoId);
        if (await video.BeginProbeAsync() is not { } ticket)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var outcome = await ProbeStoredAsync(videoId, ticket, cancellationToken);
        metrics.ProbeCompleted(Stopwatch.GetElapsedTime(started), ProbeFailureTag.Of(outcome));
        await video.CompleteProbeAsync(ticket.Attempt, outcome);
        logger.LogInformation("Probed video {VideoId}: {Outcome}", videoId, outcome.Media is null ? outcome.Error : "decodable");
    }

    private async Task<ProbeOutcome> ProbeStoredAsync(string videoId, ProbeTicket ticket, CancellationToken cancellationToken)
    {
        // The view outlives the probe's own timeout a little, so ffprobe's kill comes first.
        var lifetime = TimeSpan.FromSeconds(options.Value.ProbeTimeoutSeconds + 30);
        try
        {
            await using var view = await views.OpenAsync(videoId, ticket.ProjectId, ticket.Key, lifetime, cancellationToken);
            var outcome = await ffprobe.ProbeAsync(view.Url, cancellationToken);
            if (view.IntegrityFailed)
            {
                throw new VideoIntegrityException("A segment of the video failed authentication while ffprobe read it.");
            }

            return outcome;
        }
        catch (FileNotFoundException)
        {
            return ProbeOutcome.Failed("The stored video is missing.");
        }
        catch (VideoIntegrityException exception)
        {
            logger.LogCritical(exception, "Video {VideoId} failed its integrity check while being probed", videoId);
            await integrity.RecordAsync(videoId, ticket.ProjectId, "stored video", cancellationToken);
            return ProbeOutcome.Failed("The stored video failed its integrity check.");
        }
    }
}
