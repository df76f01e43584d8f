using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Surveillance.Storage;
using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>
/// Runs probes on this silo, at most <c>Processing:MaxConcurrentProbes</c> at once. A worker asks
/// the video grain for a ticket (the grain decides whether a probe is due and marks the job
/// <c>processing</c>), decrypts the stored file into ffprobe, and reports the outcome. If this silo
/// dies mid-probe, the video grain's reminder queues the probe again after the timeout.
/// </summary>
public sealed class VideoProber(
    IGrainFactory grains,
    VideoFiles files,
    FfprobeRunner ffprobe,
    IIntegrityFailureAudit integrity,
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

        var outcome = await ProbeStoredAsync(videoId, ticket, cancellationToken);
        await video.CompleteProbeAsync(ticket.Attempt, outcome);
        logger.LogInformation("Probed video {VideoId}: {Outcome}", videoId, outcome.Media is null ? outcome.Error : "decodable");
    }

    private async Task<ProbeOutcome> ProbeStoredAsync(string videoId, ProbeTicket ticket, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            file = new FileStream(files.PathFor(ticket.ProjectId, videoId), FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            return ProbeOutcome.Failed("The stored video is missing.");
        }

        await using (file)
        {
            try
            {
                using var reader = await EncryptedVideoReader.OpenAsync(
                    file, ticket.Key.DataKey, videoId, ticket.ProjectId, Convert.FromHexString(ticket.Key.FileKeyId), cancellationToken);
                return await ffprobe.ProbeAsync(reader.CopyToAsync, cancellationToken);
            }
            catch (VideoIntegrityException exception)
            {
                logger.LogCritical(exception, "Video {VideoId} failed its integrity check while being probed", videoId);
                await integrity.RecordAsync(videoId, ticket.ProjectId, "stored video", cancellationToken);
                return ProbeOutcome.Failed("The stored video failed its integrity check.");
            }
        }
    }
}
