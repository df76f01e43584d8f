using System.Security.Cryptography;
using Surveillance.Storage;

namespace Surveillance.Videos;

/// <summary>
/// A video's data key: issued for its upload, kept wrapped under a master key with the video and
/// project ids bound in, so a wrapped key copied into another video's state does not open.
/// </summary>
public sealed class VideoKeyCustody(MasterKeyRing keys)
{
    /// <summary>A fresh data key and key id for the upload of <paramref name="video"/>, kept (wrapped) in it.</summary>
    public ContentKey Issue(string videoId, VideoState video)
    {
        var dataKey = VideoCipher.NewDataKey();
        video.Key = keys.Wrap(dataKey, videoId, video.ProjectId);
        video.FileKeyId = Convert.ToHexStringLower(VideoCipher.NewKeyId());
        return new ContentKey(dataKey, video.FileKeyId);
    }

    public ContentKey Open(string videoId, VideoState video) =>
        new(keys.Unwrap(video.Key!, videoId, video.ProjectId), video.FileKeyId);

    /// <summary>Re-wraps the key under the active master key; false when it already is.</summary>
    public bool Rewrap(string videoId, VideoState video)
    {
        if (video.Key!.MasterKeyId == keys.ActiveKeyId)
        {
            return false;
        }

        var dataKey = keys.Unwrap(video.Key, videoId, video.ProjectId);
        video.Key = keys.Wrap(dataKey, videoId, video.ProjectId);
        CryptographicOperations.ZeroMemory(dataKey);
        return true;
    }
}
