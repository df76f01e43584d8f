using Orleans.Concurrency;

namespace Surveillance.Videos;

/// <summary>
/// One video (key: its id): metadata and its data key, wrapped by a master key. Destroying the
/// wrapped key makes every copy of the stored bytes unreadable (crypto-shredding).
/// </summary>
[Alias("surveillance.IVideoGrain")]
public interface IVideoGrain : IGrainWithStringKey
{
    [Alias("GetAsync"), ReadOnly] Task<VideoInfo?> GetAsync();

    /// <summary>A fresh random data key for this video's upload, and its wrapped form.</summary>
    [Alias("IssueDataKeyAsync")] Task<NewDataKey> IssueDataKeyAsync(string projectId);

    /// <summary>Records an upload whose encrypted bytes are stored; adds it to its project.</summary>
    [Alias("RecordUploadAsync")] Task<VideoInfo> RecordUploadAsync(VideoUpload upload);

    /// <summary>The unwrapped data key, for a reader the API has already authorised.</summary>
    [Alias("GetContentKeyAsync"), ReadOnly] Task<ContentKey> GetContentKeyAsync();

    /// <summary>Destroys the key and the stored file, and removes the video from its project.</summary>
    [Alias("DeleteAsync")] Task DeleteAsync();

    /// <summary>Re-wraps the data key under the active master key; true when it changed.</summary>
    [Alias("RewrapAsync")] Task<bool> RewrapAsync();

    /// <summary>Deletes the video when it was uploaded before <paramref name="cutoff"/>; true when it did.</summary>
    [Alias("ExpireAsync")] Task<bool> ExpireAsync(DateTimeOffset cutoff);
}
