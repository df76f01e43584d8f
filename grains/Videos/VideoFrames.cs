using Microsoft.Extensions.Logging;
using Surveillance.Processing;

namespace Surveillance.Videos;

/// <summary>
/// A video's analysed frames: a processor's results validated, sealed and stored, read back only
/// when their seal holds, tallied by detected class.
/// </summary>
public sealed class VideoFrames(FrameStore frames, FrameSeal seal, DetectionTally tally, ILogger<VideoFrames> logger)
{
    /// <summary>
    /// Stores <paramref name="submission"/> after the frames already stored and counts its detections
    /// into <paramref name="video"/>; the caller persists the state. The stored frames' ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> AddAsync(string videoId, VideoState video, ResultsSubmission submission, DateTimeOffset now)
    {
        ResultsRules.Validate(submission, video.Media?.DurationSeconds ?? 0, video.FrameCount);
        var createdAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var first = video.FrameCount;
        var rows = submission.Frames.Select((frame, i) => seal.Seal(new StoredFrame(
            FrameIds.For(videoId, first + i), videoId, video.ProjectId, first + i, frame.Timestamp, frame.Caption,
            FrameSeal.SerializeObjects(frame.DetectedObjects), submission.ModelVersion, createdAt, []))).ToList();
        await frames.InsertAsync(videoId, first, rows);

        // A video with results from before the tally existed is counted from its rows on first read.
        if (video.DetectionCounts is not null || video.FrameCount == 0)
        {
            video.DetectionCounts ??= new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var detected in submission.Frames.SelectMany(f => f.DetectedObjects))
            {
                video.DetectionCounts[detected.Class] = video.DetectionCounts.GetValueOrDefault(detected.Class) + 1;
            }
        }

        video.FrameCount += rows.Count;
        return rows.Select(r => r.FrameId).ToList();
    }

    /// <summary>Detected objects by class, counted from the stored rows (for results from before the tally).</summary>
    public async Task<Dictionary<string, int>> CountDetectionsAsync(string videoId) =>
        (await tally.CountAsync([videoId]))[0].Objects;

    public async Task<FrameLookup> LookupAsync(string videoId, string projectId, string frameId)
    {
        if (!FrameIds.TryGetVideoId(frameId, out var ofVideo) || ofVideo != videoId || await frames.GetAsync(frameId) is not { } stored)
        {
            return FrameLookup.Missing;
        }

        if (seal.Open(stored) is { } frame && frame.VideoId == videoId && frame.ProjectId == projectId)
        {
            return new FrameLookup(frame, false);
        }

        logger.LogCritical("Frame {FrameId} of video {VideoId} failed its integrity check; it is not served", frameId, videoId);
        return FrameLookup.Tampered;
    }

    public Task DeleteAsync(string videoId) => frames.DeleteVideoAsync(videoId);
}
