using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>
/// Seekable views of decrypted videos for ffprobe and ffmpeg: each view is a loopback URL that
/// serves one stored video's plaintext, with byte ranges, under a random token bound to that video.
/// Nothing is decrypted to disk; the URL stops working when the view is disposed or its lifetime ends.
/// </summary>
public interface IDecryptedVideoViews
{
    /// <summary>
    /// Verifies that the stored file opens under its key (a <c>VideoIntegrityException</c> or a
    /// <see cref="FileNotFoundException"/> otherwise), then serves it. Throws a 503-kind refusal
    /// when the configured number of open views is reached.
    /// </summary>
    Task<IDecryptedVideoView> OpenAsync(string videoId, string projectId, ContentKey key, TimeSpan lifetime, CancellationToken cancellationToken);
}

/// <summary>One open view; disposing it revokes its URL.</summary>
public interface IDecryptedVideoView : IAsyncDisposable
{
    /// <summary>The URL to hand to the child process, token included; never log it.</summary>
    Uri Url { get; }

    /// <summary>True when a segment failed authentication while being served (the reader got no altered bytes).</summary>
    bool IntegrityFailed { get; }
}
