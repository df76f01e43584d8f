using System.Security.Cryptography;

namespace Surveillance.Storage;

/// <summary>
/// Random-access decryption of a video written by <see cref="EncryptedVideoWriter"/>. Only the
/// segments a range overlaps are read and decrypted, and each one is verified as a whole before
/// any of its bytes reach the destination. Every authentication failure is a
/// <see cref="VideoIntegrityException"/>. Does not own the source stream. Not thread-safe.
/// </summary>
public sealed class EncryptedVideoReader : IDisposable
{
    private readonly Stream source;
    private readonly VideoHeader header;
    private readonly AesGcm cipher;
    private readonly long segmentCount;
    private readonly byte[] segment;
    private bool disposed;

    private EncryptedVideoReader(Stream source, VideoHeader header, AesGcm cipher, long plaintextLength)
    {
        this.source = source;
        this.header = header;
        this.cipher = cipher;
        PlaintextLength = plaintextLength;
        segmentCount = VideoCipher.SegmentCount(plaintextLength, header.SegmentSize);
        segment = new byte[(int)Math.Min(header.SegmentSize, plaintextLength) + VideoCipher.TagLength];
    }

    /// <summary>Plaintext length, derived from the file length and authenticated when the reader opened.</summary>
    public long PlaintextLength { get; }

    public int SegmentSize => header.SegmentSize;

    public ReadOnlySpan<byte> KeyId => header.KeyId;

    /// <summary>Segments decrypted so far: lets tests check that a range touches only what it needs.</summary>
    internal int SegmentsDecrypted { get; private set; }

    /// <summary>
    /// Reads the header and verifies the final segment, so a wrong key or ids, a forged header, or
    /// a truncated or extended file fail here, before the caller announces a length or status.
    /// When <paramref name="expectedKeyId"/> is given, the header must name that key.
    /// </summary>
    public static async Task<EncryptedVideoReader> OpenAsync(
        Stream source,
        ReadOnlyMemory<byte> dataKey,
        string videoId,
        string projectId,
        ReadOnlyMemory<byte> expectedKeyId = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead || !source.CanSeek)
        {
            throw new ArgumentException("The encrypted video must be readable and seekable.", nameof(source));
        }

        VideoCipher.ValidateDataKey(dataKey.Span);
        var bytes = new byte[VideoHeader.Length];
        source.Position = 0;
        await ReadExactlyAsync(source, bytes, cancellationToken);
        var header = VideoHeader.Parse(bytes);
        if (!expectedKeyId.IsEmpty && !CryptographicOperations.FixedTimeEquals(header.KeyId, expectedKeyId.Span))
        {
            throw new VideoIntegrityException("The video was encrypted under another key.");
        }

        if (!VideoCipher.TryGetPlaintextLength(source.Length, header.SegmentSize, out var plaintextLength))
        {
            throw new VideoIntegrityException("The encrypted video has an impossible length (truncated or extended).");
        }

        var cipher = VideoCipher.CreateSegmentCipher(dataKey.Span, header, videoId, projectId);
        var reader = new EncryptedVideoReader(source, header, cipher, plaintextLength);
        try
        {
            await reader.DecryptSegmentAsync(reader.segmentCount - 1, cancellationToken);
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Writes plaintext bytes [offset, offset + count) to the destination.</summary>
    public async Task CopyRangeToAsync(Stream destination, long offset, long count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, PlaintextLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, PlaintextLength - offset);
        ObjectDisposedException.ThrowIf(disposed, this);

        for (var index = offset / SegmentSize; count > 0; index++)
        {
            var plaintext = await DecryptSegmentAsync(index, cancellationToken);
            var start = (int)(offset - (index * SegmentSize));
            var take = (int)Math.Min(plaintext.Length - start, count);
            await destination.WriteAsync(plaintext.Slice(start, take), cancellationToken);
            offset += take;
            count -= take;
        }
    }

    /// <summary>Writes the whole plaintext to the destination.</summary>
    public Task CopyToAsync(Stream destination, CancellationToken cancellationToken = default) =>
        CopyRangeToAsync(destination, 0, PlaintextLength, cancellationToken);

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        CryptographicOperations.ZeroMemory(segment);
        cipher.Dispose();
    }

    private async Task<ReadOnlyMemory<byte>> DecryptSegmentAsync(long index, CancellationToken cancellationToken)
    {
        var last = index == segmentCount - 1;
        var length = last ? (int)(PlaintextLength - (index * SegmentSize)) : SegmentSize;
        source.Position = VideoHeader.Length + (index * ((long)SegmentSize + VideoCipher.TagLength));
        await ReadExactlyAsync(source, segment.AsMemory(0, length + VideoCipher.TagLength), cancellationToken);
        Open(index, last, length);
        SegmentsDecrypted++;
        return segment.AsMemory(0, length);
    }

    private void Open(long index, bool last, int length)
    {
        Span<byte> nonce = stackalloc byte[VideoCipher.NonceLength];
        VideoCipher.SegmentNonce(nonce, header, index, last);
        var data = segment.AsSpan(0, length);
        try
        {
            cipher.Decrypt(nonce, data, segment.AsSpan(length, VideoCipher.TagLength), data, header.Bytes.Span);
        }
        catch (CryptographicException e)
        {
            // Wrong key or ids, a changed byte, a moved or foreign segment, a misplaced final flag:
            // GCM cannot tell these apart, and the caller must treat them all the same way.
            throw new VideoIntegrityException($"Segment {index} of the video failed authentication.", e);
        }
    }

    private static async Task ReadExactlyAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await source.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException e)
        {
            // The file is shorter than its header or shrank under us: a truncation, not an I/O fault.
            throw new VideoIntegrityException("The encrypted video ends early.", e);
        }
    }
}
