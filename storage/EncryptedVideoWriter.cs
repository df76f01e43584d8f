using System.Security.Cryptography;

namespace Surveillance.Storage;

/// <summary>
/// Encrypts a video while it streams to <c>destination</c> (write-only, forward). Memory is one
/// segment whatever the video size: plaintext is gathered into a single buffer, which is sealed in
/// place and written once the writer knows whether it is the final segment. Call
/// <see cref="CompleteAsync"/> to emit the final segment; a writer disposed without it leaves a file
/// that every reader rejects (no final segment), which is what an aborted upload must produce.
/// Not thread-safe.
/// </summary>
public sealed class EncryptedVideoWriter : IDisposable
{
    private readonly Stream destination;
    private readonly VideoHeader header;
    private readonly AesGcm cipher;
    private readonly IncrementalHash plaintextHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    // Plaintext of the current segment, then its ciphertext ‖ tag after sealing in place.
    private readonly byte[] segment;
    private int buffered;
    private long segmentIndex;
    private bool headerWritten;
    private bool completed;
    private bool faulted;
    private bool disposed;

    /// <summary>
    /// Binds the file to <paramref name="videoId"/> and <paramref name="projectId"/>. <paramref name="keyId"/>
    /// names <paramref name="dataKey"/> in the header (a fresh random id when empty).
    /// </summary>
    public EncryptedVideoWriter(
        Stream destination,
        ReadOnlySpan<byte> dataKey,
        string videoId,
        string projectId,
        int segmentSize = VideoCipher.DefaultSegmentSize,
        ReadOnlySpan<byte> keyId = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination must be writable.", nameof(destination));
        }

        this.destination = destination;
        header = VideoHeader.CreateNew(segmentSize, keyId.IsEmpty ? VideoCipher.NewKeyId() : keyId);
        cipher = VideoCipher.CreateSegmentCipher(dataKey, header, videoId, projectId);
        segment = new byte[segmentSize + VideoCipher.TagLength];
    }

    public int SegmentSize => header.SegmentSize;

    public ReadOnlySpan<byte> KeyId => header.KeyId;

    /// <summary>Plaintext bytes accepted so far.</summary>
    public long PlaintextLength { get; private set; }

    /// <summary>Bytes written to the destination so far.</summary>
    public long CiphertextLength { get; private set; }

    /// <summary>SHA-256 of the whole plaintext; null until <see cref="CompleteAsync"/> has succeeded.</summary>
    public byte[]? PlaintextSha256 { get; private set; }

    /// <summary>All the plaintext this writer holds at any time: one segment and its tag.</summary>
    internal int BufferCapacity => segment.Length;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        try
        {
            plaintextHash.AppendData(plaintext.Span);
            PlaintextLength += plaintext.Length;
            while (!plaintext.IsEmpty)
            {
                if (buffered == SegmentSize)
                {
                    // More data has arrived, so the held segment is known not to be the last one.
                    await EmitAsync(last: false, cancellationToken);
                }

                var take = Math.Min(SegmentSize - buffered, plaintext.Length);
                plaintext.Span[..take].CopyTo(segment.AsSpan(buffered));
                buffered += take;
                plaintext = plaintext[take..];
            }
        }
        catch
        {
            faulted = true;
            throw;
        }
    }

    /// <summary>Emits the final segment (empty for an empty video) and flushes the destination.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        try
        {
            await EmitAsync(last: true, cancellationToken);
            await destination.FlushAsync(cancellationToken);
            completed = true;
            PlaintextSha256 = plaintextHash.GetHashAndReset();
        }
        catch
        {
            faulted = true;
            throw;
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        CryptographicOperations.ZeroMemory(segment);
        cipher.Dispose();
        plaintextHash.Dispose();
    }

    private async ValueTask EmitAsync(bool last, CancellationToken cancellationToken)
    {
        if (!headerWritten)
        {
            await destination.WriteAsync(header.Bytes, cancellationToken);
            headerWritten = true;
            CiphertextLength += VideoHeader.Length;
        }

        var length = Seal(last);
        await destination.WriteAsync(segment.AsMemory(0, length), cancellationToken);
        CiphertextLength += length;
    }

    private int Seal(bool last)
    {
        if (segmentIndex >= VideoCipher.MaxSegmentCount)
        {
            throw new InvalidOperationException("The video is too long for its segment size: a nonce would repeat.");
        }

        Span<byte> nonce = stackalloc byte[VideoCipher.NonceLength];
        VideoCipher.SegmentNonce(nonce, header, segmentIndex, last);
        var plaintext = segment.AsSpan(0, buffered);
        cipher.Encrypt(nonce, plaintext, plaintext, segment.AsSpan(buffered, VideoCipher.TagLength), header.Bytes.Span);

        // The state moves on before the I/O: a nonce is never used twice, even if the write fails.
        var length = buffered + VideoCipher.TagLength;
        segmentIndex++;
        buffered = 0;
        return length;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (completed)
        {
            throw new InvalidOperationException("The video has already been completed.");
        }

        // After a failure the buffer may hold ciphertext, not plaintext; continuing could corrupt
        // the file or re-seal data under a used nonce, so the caller must start a new file.
        if (faulted)
        {
            throw new InvalidOperationException("A previous write failed; the encrypted video is incomplete.");
        }
    }
}
