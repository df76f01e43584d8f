using System.Buffers.Binary;

namespace Surveillance.Processing;

/// <summary>
/// What a search-index snapshot is checked against, per video: how many of its rows are indexed and
/// the XOR of the first 64 bits of their seals (PostgreSQL computes the same aggregate over
/// <c>video_frames</c>). A row added, removed, replaced by a retried submission, or given another
/// seal changes it; a seal is an HMAC over every field, so a row cannot be changed into another
/// valid one without the key.
/// </summary>
public readonly record struct VideoFingerprint(int Frames, long SealXor)
{
    /// <summary>The first 64 bits of a seal, big-endian, zero-padded (as <c>FrameStore.ReadIndexedFingerprintsAsync</c> reads them).</summary>
    public static long Tag(ReadOnlySpan<byte> seal)
    {
        Span<byte> first = stackalloc byte[8];
        first.Clear();
        seal[..Math.Min(8, seal.Length)].CopyTo(first);
        return BinaryPrimitives.ReadInt64BigEndian(first);
    }

    public VideoFingerprint With(ReadOnlySpan<byte> seal) => new(Frames + 1, SealXor ^ Tag(seal));
}
