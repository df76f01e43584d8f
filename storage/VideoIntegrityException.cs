namespace Surveillance.Storage;

/// <summary>
/// The stored bytes of a video are not what this system wrote for that video, key and project:
/// tampered, truncated, reordered, copied from elsewhere, or read with the wrong key or ids.
/// No plaintext from the failing segment has been released when this is thrown.
/// </summary>
public sealed class VideoIntegrityException : Exception
{
    public VideoIntegrityException(string message)
        : base(message)
    {
    }

    public VideoIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
