using Surveillance.Storage;

namespace Surveillance.Tests.Storage;

/// <summary>Small encrypted videos in memory, with tiny segments so that boundaries are cheap to reach.</summary>
internal static class EncryptedSamples
{
    public const int SegmentSize = 64;
    public const string VideoId = "video-0001";
    public const string ProjectId = "project-a";

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<byte[]> EncryptAsync(
        byte[] plaintext, byte[] key, string videoId = VideoId, string projectId = ProjectId, int segmentSize = SegmentSize)
    {
        using var file = new MemoryStream();
        using var writer = new EncryptedVideoWriter(file, key, videoId, projectId, segmentSize);
        await writer.WriteAsync(plaintext);
        await writer.CompleteAsync();
        return file.ToArray();
    }

    public static async Task<byte[]> DecryptAsync(
        byte[] file, byte[] key, string videoId = VideoId, string projectId = ProjectId, long offset = 0, long? count = null)
    {
        using var source = new MemoryStream(file, writable: false);
        using var reader = await EncryptedVideoReader.OpenAsync(source, key, videoId, projectId);
        using var destination = new MemoryStream();
        await reader.CopyRangeToAsync(destination, offset, count ?? (reader.PlaintextLength - offset));
        return destination.ToArray();
    }

    /// <summary>Where segment <paramref name="index"/> starts in the file.</summary>
    public static int SegmentOffset(int index, int segmentSize = SegmentSize) =>
        VideoCipher.HeaderLength + (index * (segmentSize + VideoCipher.TagLength));

    public static byte[] Flip(byte[] file, int position)
    {
        var copy = (byte[])file.Clone();
        copy[position] ^= 0x01;
        return copy;
    }
}
