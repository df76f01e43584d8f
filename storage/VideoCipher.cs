using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Surveillance.Storage;

/// <summary>
/// Encryption at rest for videos: a segmented streaming AEAD in the style of Tink's
/// AES-GCM-HKDF-Streaming. File = header ‖ segments; each segment is AES-256-GCM under a key
/// derived per file, so any segment can be decrypted and verified on its own (Range requests)
/// and nothing is released before its tag has been checked.
/// </summary>
public static class VideoCipher
{
    public const int DataKeyLength = 32;
    public const int KeyIdLength = VideoHeader.KeyIdLength;
    public const int HeaderLength = VideoHeader.Length;
    public const int TagLength = 16;
    public const int DefaultSegmentSize = 1024 * 1024;
    public const int MinSegmentSize = 16;

    /// <summary>Bounds what a forged header can make a reader allocate.</summary>
    public const int MaxSegmentSize = 16 * 1024 * 1024;

    /// <summary>The segment index is 4 bytes of the nonce; past that a nonce would repeat.</summary>
    public const long MaxSegmentCount = 1L << 32;

    internal const int NonceLength = 12;

    // Domain separation: this key derivation can never collide with another use of the same data key.
    private static ReadOnlySpan<byte> KeyLabel => "surveillance/video-segment-key/v1"u8;

    /// <summary>A fresh random 256-bit data key for one video.</summary>
    public static byte[] NewDataKey() => RandomNumberGenerator.GetBytes(DataKeyLength);

    /// <summary>A fresh random id to store next to the wrapped data key and in the file header.</summary>
    public static byte[] NewKeyId() => RandomNumberGenerator.GetBytes(KeyIdLength);

    /// <summary>Bytes on disk for a plaintext of this length; an empty video still has one (empty, final) segment.</summary>
    public static long CiphertextLength(long plaintextLength, int segmentSize = DefaultSegmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        ValidateSegmentSize(segmentSize);
        return checked(HeaderLength + plaintextLength + (SegmentCount(plaintextLength, segmentSize) * TagLength));
    }

    /// <summary>
    /// Plaintext length of a file of this length, or false when no writer could have produced it
    /// (a cut inside a segment, a trailing fragment shorter than a tag, an empty segment after full ones).
    /// </summary>
    public static bool TryGetPlaintextLength(long ciphertextLength, int segmentSize, out long plaintextLength)
    {
        ValidateSegmentSize(segmentSize);
        plaintextLength = 0;
        var body = ciphertextLength - HeaderLength;
        if (body < TagLength)
        {
            return false;
        }

        long stride = segmentSize + TagLength;
        var segments = (body / stride) + (body % stride == 0 ? 0 : 1);
        var candidate = body - (segments * TagLength);
        if (segments > MaxSegmentCount || candidate < 0 || CiphertextLength(candidate, segmentSize) != ciphertextLength)
        {
            return false;
        }

        plaintextLength = candidate;
        return true;
    }

    internal static long SegmentCount(long plaintextLength, int segmentSize) =>
        plaintextLength == 0 ? 1 : (plaintextLength / segmentSize) + (plaintextLength % segmentSize == 0 ? 0 : 1);

    internal static void ValidateSegmentSize(int segmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, MinSegmentSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(segmentSize, MaxSegmentSize);
    }

    internal static void ValidateDataKey(ReadOnlySpan<byte> dataKey)
    {
        if (dataKey.Length != DataKeyLength)
        {
            throw new ArgumentException($"A video data key is {DataKeyLength} bytes.", nameof(dataKey));
        }
    }

    /// <summary>
    /// Segment key = HKDF-SHA256(data key, header salt, label ‖ video id ‖ project id). Binding the ids
    /// means bytes moved to another video or project (even one sharing the data key) fail to decrypt;
    /// the ids are length-prefixed so ("ab", "c") and ("a", "bc") derive different keys.
    /// </summary>
    internal static AesGcm CreateSegmentCipher(ReadOnlySpan<byte> dataKey, VideoHeader header, string videoId, string projectId)
    {
        ValidateDataKey(dataKey);
        ArgumentException.ThrowIfNullOrEmpty(videoId);
        ArgumentException.ThrowIfNullOrEmpty(projectId);

        var info = new List<byte>(KeyLabel.Length + 8 + videoId.Length + projectId.Length);
        info.AddRange(KeyLabel);
        AppendLengthPrefixed(info, videoId);
        AppendLengthPrefixed(info, projectId);

        Span<byte> segmentKey = stackalloc byte[32];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, segmentKey, header.Salt, info.ToArray());
            return new AesGcm(segmentKey, TagLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(segmentKey);
        }
    }

    /// <summary>
    /// Nonce = prefix (7) ‖ segment index (uint32 BE) ‖ last flag. The index stops reordering and
    /// swapping; the flag makes a cut at a segment boundary (or data appended after the end) fail.
    /// </summary>
    internal static void SegmentNonce(Span<byte> nonce, VideoHeader header, long index, bool last)
    {
        header.NoncePrefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[VideoHeader.NoncePrefixLength..], checked((uint)index));
        nonce[NonceLength - 1] = last ? (byte)1 : (byte)0;
    }

    private static void AppendLengthPrefixed(List<byte> info, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        info.AddRange(length);
        info.AddRange(bytes);
    }
}
