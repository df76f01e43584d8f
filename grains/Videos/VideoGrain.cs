using Microsoft.Extensions.Logging;
using Surveillance.Errors;
using Surveillance.Processing;
using Surveillance.Storage;

namespace Surveillance.Videos;

/// <summary>
/// One video's record and the turns that change it. What each concept does lives with its
/// collaborator: the key with <see cref="VideoKeyCustody"/>, the probe job's states with
/// <see cref="ProbeSchedule"/>, the analysed frames with <see cref="VideoFrames"/>.
/// </summary>
public sealed class VideoGrain(
    [PersistentState("video", StorageNames.Main)] IPersistentState<VideoState> state,
    VideoKeyCustody custody,
    ProbeSchedule probes,
    VideoFrames frames,
    IVideoProber prober,
    VideoFiles files,
    IVideoDeletionAudit deletions,
    TimeProvider clock,
    ILogger<VideoGrain> logger) : Grain, IVideoGrain, IRemindable
{
    /// <summary>Durable: a probe that was queued or running when its silo went down is taken up again.</summary>
    private const string ProbeReminder = "probe";

    private string VideoId => this.GetPrimaryKeyString();

    public Task<VideoInfo?> GetAsync() => Task.FromResult(Exists ? state.State.ToInfo(VideoId) : null);

    // Upload: key issued → file stored by the API → upload recorded (or abandoned).

    public async Task<ContentKey> IssueUploadKeyAsync(string projectId)
    {
        if (state.RecordExists)
        {
            throw DomainException.Conflict("This video id is taken.");
        }

        // The wrapped key is stored before the caller gets the data key, so what the upload is
        // encrypted under is what the video records, whichever silo records it.
        var pending = new VideoState { ProjectId = projectId, UploadPending = true };
        var key = custody.Issue(VideoId, pending);
        state.State = pending;
        await state.WriteStateAsync();
        return key;
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

        await this.RegisterOrUpdateReminder(ProbeReminder, probes.RetryInterval, probes.RetryInterval);
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

    // Key custody.

    public Task<ContentKey> GetContentKeyAsync() => Task.FromResult(custody.Open(VideoId, RequireExisting()));

    public async Task<bool> RewrapAsync()
    {
        if (!Exists || !custody.Rewrap(VideoId, state.State))
        {
            return false;
        }

        await state.WriteStateAsync();
        return true;
    }

    // Probe job.

    public Task<JobInfo?> GetJobAsync() => Task.FromResult(Exists ? JobView.From(VideoId, state.State) : null);

    public async Task<ProbeTicket?> BeginProbeAsync()
    {
        if (!Exists || !probes.IsDue(state.State))
        {
            return null;
        }

        if (probes.GiveUp(state.State) is { } givenUp)
        {
            await FinishProbeAsync(givenUp);
            return null;
        }

        probes.Start(state.State);
        await state.WriteStateAsync();
        return new ProbeTicket(state.State.ProjectId, custody.Open(VideoId, state.State), state.State.ProbeAttempts);
    }

    public async Task CompleteProbeAsync(int attempt, ProbeOutcome outcome)
    {
        if (Exists && ProbeSchedule.IsRunning(state.State, attempt))
        {
            await FinishProbeAsync(outcome);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Exists && ProbeSchedule.IsWaitingForProbe(state.State))
        {
            if (probes.IsDue(state.State))
            {
                prober.Schedule(VideoId);
            }

            return;
        }

        await StopProbeReminderAsync();
    }

    // Results and frames.

    public async Task<ResultsReceipt> AddResultsAsync(ResultsSubmission submission)
    {
        var video = RequireExisting();
        if (video.Status is not (VideoStatus.AwaitingResults or VideoStatus.Completed))
        {
            throw DomainException.Conflict($"The video cannot take results while its job is '{video.Status}'.");
        }

        var now = clock.GetUtcNow();
        var frameIds = await frames.AddAsync(VideoId, video, submission, now);
        video.Status = VideoStatus.Completed;
        video.ModelVersion = submission.ModelVersion;
        video.ProcessedAt = now;
        video.UpdatedAt = now;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IFrameIndexGrain>(video.ProjectId).IndexPendingAsync();
        return new ResultsReceipt(VideoId, video.Status, frameIds.Count, video.FrameCount, frameIds);
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
            video.DetectionCounts = await frames.CountDetectionsAsync(VideoId);
            await state.WriteStateAsync();
        }

        return new VideoDetections(VideoId, video.FrameCount, new Dictionary<string, int>(video.DetectionCounts, StringComparer.Ordinal));
    }

    public async Task<FrameLookup> GetFrameAsync(string frameId) =>
        Exists ? await frames.LookupAsync(VideoId, state.State.ProjectId, frameId) : FrameLookup.Missing;

    // Deletion.

    public async Task DeleteAsync()
    {
        var video = RequireExisting();
        var projectId = video.ProjectId;

        // Crypto-shredding: once the wrapped key is gone, no copy of the file (backups, snapshots)
        // can be decrypted. The state row is cleared, then the file and the results removed.
        await state.ClearStateAsync();
        files.Delete(projectId, VideoId);
        await frames.DeleteAsync(VideoId);
        await GrainFactory.GetGrain<IProjectGrain>(projectId).RemoveVideoAsync(VideoId);
        await GrainFactory.GetGrain<IFrameIndexGrain>(projectId).ForgetVideoAsync(VideoId);
        await StopProbeReminderAsync();
        logger.LogInformation("Video {VideoId} of project {ProjectId} deleted and its key destroyed", VideoId, projectId);
        DeactivateOnIdle();
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

    private async Task FinishProbeAsync(ProbeOutcome outcome)
    {
        probes.Finish(state.State, outcome);
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

    /// <summary>A recorded video: not an empty record, nor an upload whose key is issued and that is not recorded yet.</summary>
    private bool Exists => state.RecordExists && state.State.Key is not null && !state.State.UploadPending;

    private VideoState RequireExisting() =>
        Exists ? state.State : throw DomainException.NotFound("No such video.");
}
