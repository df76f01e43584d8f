using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>
/// A video's job as API.md shows it, derived from the video's state. Three stages: <c>upload</c>
/// (done when the job exists), <c>probe</c> (ffprobe), <c>analysis</c> (a processor's results).
/// <c>progress</c> is the percentage of stages completed.
/// </summary>
public static class JobView
{
    public const string Upload = "upload";
    public const string Probe = "probe";
    public const string Analysis = "analysis";

    public static JobInfo From(string videoId, VideoState video)
    {
        var probe = video.Status switch
        {
            VideoStatus.Queued => StageStatus.Pending,
            VideoStatus.Processing => StageStatus.Running,
            VideoStatus.Failed => StageStatus.Failed,
            _ => StageStatus.Completed,
        };
        var analysis = video.Status switch
        {
            VideoStatus.AwaitingResults => StageStatus.Waiting,
            VideoStatus.Completed => StageStatus.Completed,
            _ => StageStatus.Pending,
        };
        JobStage[] stages =
        [
            new(Upload, StageStatus.Completed, video.UploadedAt, video.UploadedAt),
            new(Probe, probe, video.ProbeStartedAt, video.ProbeFinishedAt),
            new(Analysis, analysis, analysis == StageStatus.Pending ? null : video.ProbeFinishedAt, video.ProcessedAt),
        ];
        var progress = 100 * stages.Count(s => s.Status == StageStatus.Completed) / stages.Length;
        var finished = video.Status is VideoStatus.Completed or VideoStatus.Failed;
        return new JobInfo(
            videoId,
            video.ProjectId,
            video.Filename,
            video.Status,
            progress,
            stages,
            video.UploadedAt,
            video.UpdatedAt ?? video.UploadedAt,
            video.ProbeStartedAt,
            finished ? video.ProcessedAt ?? video.ProbeFinishedAt : null,
            video.Error);
    }
}
