using Microsoft.Extensions.Options;
using Surveillance.Processing;

namespace Surveillance.Videos;

/// <summary>
/// A video's probe job: <c>queued</c> → <c>processing</c> → <c>awaiting_results</c> or <c>failed</c>,
/// taken up again when a probe outlives its timeout (its silo went down), given up after the
/// configured number of attempts.
/// </summary>
public sealed class ProbeSchedule(IOptions<ProcessingOptions> options, TimeProvider clock)
{
    /// <summary>How often the durable reminder looks for a probe that is due.</summary>
    public TimeSpan RetryInterval => TimeSpan.FromSeconds(options.Value.ProbeRetrySeconds);

    /// <summary>Queued, or 'processing' for longer than a probe may take (its silo went down).</summary>
    public bool IsDue(VideoState video) =>
        video.Status == VideoStatus.Queued
        || (video.Status == VideoStatus.Processing
            && video.ProbeStartedAt + TimeSpan.FromSeconds(options.Value.ProbeTimeoutSeconds + options.Value.ProbeRetrySeconds) < clock.GetUtcNow());

    public static bool IsWaitingForProbe(VideoState video) => video.Status is VideoStatus.Queued or VideoStatus.Processing;

    /// <summary>A late answer from an attempt that was given up on (its silo seemed gone) is not the running one.</summary>
    public static bool IsRunning(VideoState video, int attempt) => video.Status == VideoStatus.Processing && video.ProbeAttempts == attempt;

    /// <summary>Null when another attempt may start; else the outcome that gives up.</summary>
    public ProbeOutcome? GiveUp(VideoState video) =>
        video.ProbeAttempts >= options.Value.MaxProbeAttempts
            ? ProbeOutcome.Failed($"Probing did not finish after {video.ProbeAttempts} attempts.")
            : null;

    public void Start(VideoState video)
    {
        var now = clock.GetUtcNow();
        video.Status = VideoStatus.Processing;
        video.ProbeStartedAt = now;
        video.ProbeAttempts++;
        video.UpdatedAt = now;
    }

    public void Finish(VideoState video, ProbeOutcome outcome)
    {
        var now = clock.GetUtcNow();
        (video.Media, video.Error) = (outcome.Media, outcome.Error);
        video.Status = outcome.Media is null ? VideoStatus.Failed : VideoStatus.AwaitingResults;
        video.ProbeFinishedAt = now;
        video.UpdatedAt = now;
    }
}
