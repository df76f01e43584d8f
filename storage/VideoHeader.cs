using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Surveillance.Storage;

/// <summary>
/// The 64-byte header in front of every encrypted video:
/// magic "SVV1" (4) ‖ version (1) ‖ plaintext segment size (int32 BE, 4) ‖ HKDF salt (32) ‖
/// nonce prefix (7) ‖ key id (16). The raw bytes are the associated data of every segment, so a
/// change to any field makes every segment fail authentication.
/// </summary>
internal sealed class VideoHeader
{
    public const int Length = 64;
    public const byte Version = 1;
    public const int SaltLength = 32;
    public const int NoncePrefixLength = 7;
    public const int KeyIdLength = 16;

    private const int VersionOffset = 4;
    private const int SegmentSizeOffset = 5;
    private const int SaltOffset = 9;
    private const int NoncePrefixOffset = SaltOffset + SaltLength;
    private const int KeyIdOffset = NoncePrefixOffset + NoncePrefixLength;

    private static ReadOnlySpan<byte> Magic => "SVV1"u8;

    private readonly byte[] bytes;

    private VideoHeader(byte[] bytes) => this.bytes = bytes;

    public ReadOnlyMemory<byte> Bytes => bytes;

    public int SegmentSize => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(SegmentSizeOffset));

    public ReadOnlySpan<byte> Salt => bytes.AsSpan(SaltOffset, SaltLength);

    public ReadOnlySpan<byte> NoncePrefix => bytes.AsSpan(NoncePrefixOffset, NoncePrefixLength);

    public ReadOnlySpan<byte> KeyId => bytes.AsSpan(KeyIdOffset, KeyIdLength);

    /// <summary>A header with a fresh salt and nonce prefix: each file gets its own segment key.</summary>
    public static VideoHeader CreateNew(int segmentSize, ReadOnlySpan<byte> keyId)
    {
        VideoCipher.ValidateSegmentSize(segmentSize);
        if (keyId.Length != KeyIdLength)
        {
            throw new ArgumentException($"A key id is {KeyIdLength} bytes.", nameof(keyId));
        }

        var bytes = new byte[Length];
        Magic.CopyTo(bytes);
        bytes[VersionOffset] = Version;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(SegmentSizeOffset), segmentSize);
        RandomNumberGenerator.Fill(bytes.AsSpan(SaltOffset, SaltLength + NoncePrefixLength));
        keyId.CopyTo(bytes.AsSpan(KeyIdOffset));
        return new VideoHeader(bytes);
    }

    /// <summary>
    /// Checks what can be checked before authentication. The segment size bound matters: it drives
    /// an allocation before any tag has been verified, so a forged header must not ask for gigabytes.
    /// </summary>
    public static VideoHeader Parse(ReadOnlySpan<byte> source)
    {
        if (source.Length != Length || !source.StartsWith(Magic))
        {
            throw new VideoIntegrityException("The file is not an encrypted video (bad header).");
        }

        var header = new VideoHeader(source.ToArray());
        if (source[VersionOffset] != Version)
        {
            throw new VideoIntegrityException($"Unsupported encrypted video version {source[VersionOffset]}.");
        }

        if (header.SegmentSize is < VideoCipher.MinSegmentSize or > VideoCipher.MaxSegmentSize)
        {
            throw new VideoIntegrityException("The encrypted video header has an impossible segment size.");
        }

        return header;
    }
}
