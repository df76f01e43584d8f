using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Surveillance.Errors;
using Surveillance.Storage;

namespace Surveillance.Videos;

public sealed class VideoGrain(
    [PersistentState("video", StorageNames.Main)] IPersistentState<VideoState> state,
    MasterKeyRing keys,
    VideoFiles files,
    IVideoDeletionAudit deletions,
    TimeProvider clock,
    ILogger<VideoGrain> logger) : Grain, IVideoGrain
{
    private string VideoId => this.GetPrimaryKeyString();

    public Task<VideoInfo?> GetAsync() => Task.FromResult(Exists ? state.State.ToInfo(VideoId) : null);

    public Task<NewDataKey> IssueDataKeyAsync(string projectId)
    {
        if (state.RecordExists)
        {
            throw DomainException.Conflict("This video id is taken.");
        }

        var dataKey = RandomNumberGenerator.GetBytes(32);
        return Task.FromResult(new NewDataKey(dataKey, keys.Wrap(dataKey, VideoId, projectId)));
    }

    public async Task<VideoInfo> RecordUploadAsync(VideoUpload upload)
    {
        if (state.RecordExists)
        {
            throw DomainException.Conflict("This video id is taken.");
        }

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
            Key = upload.Key,
            FileKeyId = upload.FileKeyId,
            Status = VideoStatus.Queued,
        };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IProjectGrain>(upload.ProjectId).AddVideoAsync(VideoId);
        return state.State.ToInfo(VideoId);
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
        // can be decrypted. The state row is cleared, then the file removed.
        await state.ClearStateAsync();
        files.Delete(projectId, VideoId);
        await GrainFactory.GetGrain<IProjectGrain>(projectId).RemoveVideoAsync(VideoId);
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

    private bool Exists => state.RecordExists && state.State.Key is not null;

    private VideoState RequireExisting() =>
        Exists ? state.State : throw DomainException.NotFound("No such video.");
}
