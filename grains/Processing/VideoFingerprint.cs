using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Surveillance.Processing;

/// <summary>
/// What a search-index snapshot is checked against, per video: how many of its rows are indexed and
/// the XOR of a 64-bit tag per row — the first 64 bits of SHA-256 over its seal and every field the
/// search uses (sequence, time, caption, objects) — which PostgreSQL computes as the same aggregate
/// over <c>video_frames</c>. A row added, removed, replaced by a retried submission, given another
/// seal, or changed in any searched field changes it, so that video is read from its rows again
/// (where a changed row fails its seal and is audited).
/// </summary>
public readonly record struct VideoFingerprint(int Frames, long SealXor)
{
    /// <summary>
    /// A row's tag, as <c>FrameStore.ReadIndexedFingerprintsAsync</c> computes it: SHA-256 of seal ‖
    /// sequence ‖ time (IEEE, big-endian) ‖ caption's UTF-8 length ‖ caption ‖ objects, first 64 bits.
    /// </summary>
    public static long Tag(StoredFrame row)
    {
        var (caption, objects) = (Encoding.UTF8.GetBytes(row.Caption), Encoding.UTF8.GetBytes(row.ObjectsJson));
        var buffer = new byte[row.Seal.Length + 16 + caption.Length + objects.Length];
        row.Seal.CopyTo(buffer, 0);
        var at = row.Seal.Length;
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(at), row.Sequence);
        BinaryPrimitives.WriteDoubleBigEndian(buffer.AsSpan(at + 4), row.Timestamp);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(at + 12), caption.Length);
        caption.CopyTo(buffer, at + 16);
        objects.CopyTo(buffer, at + 16 + caption.Length);
        return BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(buffer));
    }

    public VideoFingerprint With(long tag) => new(Frames + 1, SealXor ^ tag);
}
