using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Surveillance.Errors;
using Surveillance.Processing;
using Surveillance.Storage;

namespace Surveillance.Videos;

public sealed class VideoGrain(
    [PersistentState("video", StorageNames.Main)] IPersistentState<VideoState> state,
    MasterKeyRing keys,
    VideoFiles files,
    IVideoDeletionAudit deletions,
    IVideoProber prober,
    FrameStore frames,
    FrameSeal seal,
    DetectionTally tally,
    IOptions<ProcessingOptions> processing,
    TimeProvider clock,
    ILogger<VideoGrain> logger) : Grain, IVideoGrain, IRemindable
{
    /// <summary>Durable: a probe that was queued or running when its silo went down is taken up again.</summary>
    private const string ProbeReminder = "probe";

    private string VideoId => this.GetPrimaryKeyString();

    public Task<VideoInfo?> GetAsync() => Task.FromResult(Exists ? state.State.ToInfo(VideoId) : null);

    public async Task<ContentKey> IssueUploadKeyAsync(string projectId)
    {
        if (state.RecordExists)
        {
            throw DomainException.Conflict("This video id is taken.");
        }

        // The wrapped key is stored before the caller gets the data key, so what the upload is
        // encrypted under is what the video records, whichever silo records it.
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var fileKeyId = Convert.ToHexStringLower(VideoCipher.NewKeyId());
        state.State = new VideoState
        {
            ProjectId = projectId,
            Key = keys.Wrap(dataKey, VideoId, projectId),
            FileKeyId = fileKeyId,
            UploadPending = true,
        };
        await state.WriteStateAsync();
        return new ContentKey(dataKey, fileKeyId);
    }

    public async Task<VideoInfo> RecordUploadAsync(VideoUpload upload)
    {
        if (Exists)
        {
            throw DomainException.Conflict("This video id is taken.");
        }

        if (!state.RecordExists || !state.State.UploadPending || state.State.ProjectId != upload.ProjectId)
        {
            throw DomainException.Conflict("No upload key was issued for this video in this project.");
        }

        // The project admits the video (creating it for the uploader, or checking membership) before
        // anything is recorded: a refusal leaves no video record behind.
        var issued = state.State;
        var project = GrainFactory.GetGrain<IProjectGrain>(upload.ProjectId);
        await project.AcceptUploadAsync(VideoId, upload.UploadedBy, upload.UploaderIsAdmin);
        state.State = new VideoState
        {
            ProjectId = upload.ProjectId,
            Filename = upload.Filename,
            Description = upload.Description,
            SizeBytes = upload.SizeBytes,
            Sha256 = upload.Sha256,
            ContentType = upload.ContentType,
            UploadedBy = upload.UploadedBy,
            UploadedAt = clock.GetUtcNow(),
            Key = issued.Key,
            FileKeyId = issued.FileKeyId,
            Status = VideoStatus.Queued,
        };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = issued;
            await project.RemoveVideoAsync(VideoId);
            throw;
        }

        var retry = TimeSpan.FromSeconds(processing.Value.ProbeRetrySeconds);
        await this.RegisterOrUpdateReminder(ProbeReminder, retry, retry);
        prober.Schedule(VideoId);
        return state.State.ToInfo(VideoId);
    }

    public async Task AbandonUploadAsync()
    {
        if (state.RecordExists && state.State.UploadPending)
        {
            await state.ClearStateAsync();
            DeactivateOnIdle();
        }
    }

    public Task<JobInfo?> GetJobAsync() => Task.FromResult(Exists ? JobView.From(VideoId, state.State) : null);

    public async Task<ProbeTicket?> BeginProbeAsync()
    {
        if (!Exists || !ProbeDue(state.State))
        {
            return null;
        }

        var video = state.State;
        var now = clock.GetUtcNow();
        if (video.ProbeAttempts >= processing.Value.MaxProbeAttempts)
        {
            await FinishProbeAsync(ProbeOutcome.Failed($"Probing did not finish after {video.ProbeAttempts} attempts."));
            return null;
        }

        video.Status = VideoStatus.Processing;
        video.ProbeStartedAt = now;
        video.ProbeAttempts++;
        video.UpdatedAt = now;
        await state.WriteStateAsync();
        return new ProbeTicket(video.ProjectId, new ContentKey(keys.Unwrap(video.Key!, VideoId, video.ProjectId), video.FileKeyId), video.ProbeAttempts);
    }

    public async Task CompleteProbeAsync(int attempt, ProbeOutcome outcome)
    {
        // A late answer from an attempt that was given up on (its silo seemed gone) is ignored.
        if (Exists && state.State.Status == VideoStatus.Processing && state.State.ProbeAttempts == attempt)
        {
            await FinishProbeAsync(outcome);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Exists && state.State.Status is VideoStatus.Queued or VideoStatus.Processing)
        {
            if (ProbeDue(state.State))
            {
                prober.Schedule(VideoId);
            }

            return;
        }

        await StopProbeReminderAsync();
    }

    public async Task<ResultsReceipt> AddResultsAsync(ResultsSubmission submission)
    {
        var video = RequireExisting();
        if (video.Status is not (VideoStatus.AwaitingResults or VideoStatus.Completed))
        {
            throw DomainException.Conflict($"The video cannot take results while its job is '{video.Status}'.");
        }

        ResultsRules.Validate(submission, video.Media?.DurationSeconds ?? 0, video.FrameCount);
        var now = clock.GetUtcNow();
        var createdAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var first = video.FrameCount;
        var rows = submission.Frames.Select((frame, i) => seal.Seal(new StoredFrame(
            FrameIds.For(VideoId, first + i), VideoId, video.ProjectId, first + i, frame.Timestamp, frame.Caption,
            FrameSeal.SerializeObjects(frame.DetectedObjects), submission.ModelVersion, createdAt, []))).ToList();
        await frames.InsertAsync(VideoId, first, rows);

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
        video.Status = VideoStatus.Completed;
        video.ModelVersion = submission.ModelVersion;
        video.ProcessedAt = now;
        video.UpdatedAt = now;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IFrameIndexGrain>(video.ProjectId).IndexPendingAsync();
        return new ResultsReceipt(VideoId, video.Status, rows.Count, video.FrameCount, rows.Select(r => r.FrameId).ToList());
    }

    public async Task<VideoDetections?> GetDetectionsAsync()
    {
        if (!Exists)
        {
            return null;
        }

        var video = state.State;
        if (video.DetectionCounts is null)
        {
            var counted = (await tally.CountAsync([VideoId]))[0];
            video.DetectionCounts = counted.Objects;
            await state.WriteStateAsync();
        }

        return new VideoDetections(VideoId, video.FrameCount, new Dictionary<string, int>(video.DetectionCounts, StringComparer.Ordinal));
    }

    public async Task<FrameLookup> GetFrameAsync(string frameId)
    {
        if (!Exists || !FrameIds.TryGetVideoId(frameId, out var videoId) || videoId != VideoId)
        {
            return FrameLookup.Missing;
        }

        if (await frames.GetAsync(frameId) is not { } stored)
        {
            return FrameLookup.Missing;
        }

        if (seal.Open(stored) is { } frame && frame.VideoId == VideoId && frame.ProjectId == state.State.ProjectId)
        {
            return new FrameLookup(frame, false);
        }

        logger.LogCritical("Frame {FrameId} of video {VideoId} failed its integrity check; it is not served", frameId, VideoId);
        return FrameLookup.Tampered;
    }

    public Task<ContentKey> GetContentKeyAsync()
    {
        var video = RequireExisting();
        return Task.FromResult(new ContentKey(keys.Unwrap(video.Key!, VideoId, video.ProjectId), video.FileKeyId));
    }

    public async Task DeleteAsync()
    {
        var video = RequireExisting();
        var projectId = video.ProjectId;

        // Crypto-shredding: once the wrapped key is gone, no copy of the file (backups, snapshots)
        // can be decrypted. The state row is cleared, then the file and the results removed.
        await state.ClearStateAsync();
        files.Delete(projectId, VideoId);
        await frames.DeleteVideoAsync(VideoId);
        await GrainFactory.GetGrain<IProjectGrain>(projectId).RemoveVideoAsync(VideoId);
        await GrainFactory.GetGrain<IFrameIndexGrain>(projectId).ForgetVideoAsync(VideoId);
        await StopProbeReminderAsync();
        logger.LogInformation("Video {VideoId} of project {ProjectId} deleted and its key destroyed", VideoId, projectId);
        DeactivateOnIdle();
    }

    public async Task<bool> RewrapAsync()
    {
        if (!Exists || state.State.Key!.MasterKeyId == keys.ActiveKeyId)
        {
            return false;
        }

        var video = state.State;
        var dataKey = keys.Unwrap(video.Key!, VideoId, video.ProjectId);
        video.Key = keys.Wrap(dataKey, VideoId, video.ProjectId);
        CryptographicOperations.ZeroMemory(dataKey);
        await state.WriteStateAsync();
        return true;
    }

    public async Task<bool> ExpireAsync(DateTimeOffset cutoff)
    {
        if (!Exists || state.State.UploadedAt >= cutoff)
        {
            return false;
        }

        var projectId = state.State.ProjectId;
        await DeleteAsync();
        await deletions.RecordAsync(VideoId, projectId, "retention");
        return true;
    }

    /// <summary>Queued, or 'processing' for longer than a probe may take (its silo went down).</summary>
    private bool ProbeDue(VideoState video) =>
        video.Status == VideoStatus.Queued
        || (video.Status == VideoStatus.Processing
            && video.ProbeStartedAt + TimeSpan.FromSeconds(processing.Value.ProbeTimeoutSeconds + processing.Value.ProbeRetrySeconds) < clock.GetUtcNow());

    private async Task FinishProbeAsync(ProbeOutcome outcome)
    {
        var video = state.State;
        var now = clock.GetUtcNow();
        (video.Media, video.Error) = (outcome.Media, outcome.Error);
        video.Status = outcome.Media is null ? VideoStatus.Failed : VideoStatus.AwaitingResults;
        video.ProbeFinishedAt = now;
        video.UpdatedAt = now;
        await state.WriteStateAsync();
        await StopProbeReminderAsync();
    }

    private async Task StopProbeReminderAsync()
    {
        if (await this.GetReminder(ProbeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private bool Exists => state.RecordExists && state.State.Key is not null && !state.State.UploadPending;

    private VideoState RequireExisting() =>
        Exists ? state.State : throw DomainException.NotFound("No such video.");
}
