using Orleans.Concurrency;
using Surveillance.Processing;

namespace Surveillance.Videos;

/// <summary>
/// One video (key: its id): metadata and its data key, wrapped by a master key. Destroying the
/// wrapped key makes every copy of the stored bytes unreadable (crypto-shredding).
/// </summary>
[Alias("surveillance.IVideoGrain")]
public interface IVideoGrain : IGrainWithStringKey
{
    [Alias("GetAsync"), ReadOnly] Task<VideoInfo?> GetAsync();

    /// <summary>
    /// A fresh data key and key id to encrypt this video's upload with, for a project. The grain
    /// keeps the wrapped key itself: no caller ever holds it, so none can make the grain record another.
    /// </summary>
    [Alias("IssueUploadKeyAsync")] Task<ContentKey> IssueUploadKeyAsync(string projectId);

    /// <summary>Records an upload, encrypted under the key issued for it, whose bytes are stored; adds it to its project.</summary>
    [Alias("RecordUploadAsync")] Task<VideoInfo> RecordUploadAsync(VideoUpload upload);

    /// <summary>Forgets the key issued for an upload that was not recorded (its file is gone); nothing else.</summary>
    [Alias("AbandonUploadAsync")] Task AbandonUploadAsync();

    /// <summary>The unwrapped data key, for a reader the API has already authorised.</summary>
    [Alias("GetContentKeyAsync"), ReadOnly] Task<ContentKey> GetContentKeyAsync();

    /// <summary>Destroys the key and the stored file, and removes the video from its project.</summary>
    [Alias("DeleteAsync")] Task DeleteAsync();

    /// <summary>Re-wraps the data key under the active master key; true when it changed.</summary>
    [Alias("RewrapAsync")] Task<bool> RewrapAsync();

    /// <summary>The video's processing job; null when there is no such video.</summary>
    [Alias("GetJobAsync"), ReadOnly] Task<JobInfo?> GetJobAsync();

    /// <summary>
    /// Starts a probe when one is due (queued, or a probe that outlived its timeout): marks the job
    /// <c>processing</c> and hands out what the prober needs. Null when no probe is due.
    /// </summary>
    [Alias("BeginProbeAsync")] Task<ProbeTicket?> BeginProbeAsync();

    /// <summary>Records what the probe of attempt <paramref name="attempt"/> found.</summary>
    [Alias("CompleteProbeAsync")] Task CompleteProbeAsync(int attempt, ProbeOutcome outcome);

    /// <summary>Validates and stores a processor's results; the job becomes <c>completed</c>.</summary>
    [Alias("AddResultsAsync")] Task<ResultsReceipt> AddResultsAsync(ResultsSubmission submission);

    /// <summary>
    /// The video's frames and detected objects by class, tallied as its results were stored (so
    /// analytics read one tally per video, not every frame); null when the video does not exist.
    /// </summary>
    [Alias("GetDetectionsAsync")] Task<VideoDetections?> GetDetectionsAsync();

    /// <summary>One of this video's frames, verified against its integrity seal.</summary>
    [Alias("GetFrameAsync"), ReadOnly] Task<FrameLookup> GetFrameAsync(string frameId);

    /// <summary>Deletes the video when it was uploaded before <paramref name="cutoff"/>; true when it did.</summary>
    [Alias("ExpireAsync")] Task<bool> ExpireAsync(DateTimeOffset cutoff);
}
