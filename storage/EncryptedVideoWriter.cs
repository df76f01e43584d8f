using System.Security.Cryptography;

namespace Surveillance.Storage;

/// <summary>
/// Encrypts a video while it streams to <c>destination</c> (write-only, forward). Plaintext is
/// gathered into a segment buffer; once the writer knows that the segment is not the final one,
/// it hands it to a task that seals it in place and writes it, and goes on filling another
/// buffer. Those tasks form an ordered chain (segments reach the destination in order) of at most
/// <see cref="SegmentsInFlight"/>, so memory is a few segments whatever the video size, and hashing
/// the next segment overlaps encrypting and writing the previous ones. A failure in the chain is
/// reported by the next call. When the destination is a <see cref="FileStream"/>, the file is put
/// on disk as it grows (<see cref="FileWriteback"/>), so that the caller's final fsync waits only
/// for the tail. Call <see cref="CompleteAsync"/> to emit the final segment; a writer disposed
/// without it leaves a file that every reader rejects (no final segment), which is what an aborted
/// upload must produce. Not thread-safe.
/// </summary>
public sealed class EncryptedVideoWriter : IDisposable, IAsyncDisposable
{
    /// <summary>Segments sealed or being written while the caller fills the next one.</summary>
    internal const int SegmentsInFlight = 3;

    private readonly Stream destination;
    private readonly VideoHeader header;
    private readonly AesGcm cipher;
    private readonly FileWriteback? writeback;
    private readonly IncrementalHash plaintextHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    // Every segment buffer this writer allocated (wiped on disposal), the segments in flight with
    // the task that writes each, and the buffer being filled.
    private readonly List<byte[]> buffers = [];
    private readonly Queue<(Task Written, byte[] Buffer)> inFlight = new();
    private byte[] filling;
    private Task lastWritten = Task.CompletedTask;
    private long ciphertextLength;
    private int buffered;
    private long segmentIndex;
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
        writeback = destination is FileStream file ? new FileWriteback(file.SafeFileHandle) : null;
        header = VideoHeader.CreateNew(segmentSize, keyId.IsEmpty ? VideoCipher.NewKeyId() : keyId);
        cipher = VideoCipher.CreateSegmentCipher(dataKey, header, videoId, projectId);
        filling = NewBuffer();
    }

    public int SegmentSize => header.SegmentSize;

    public ReadOnlySpan<byte> KeyId => header.KeyId;

    /// <summary>Plaintext bytes accepted so far.</summary>
    public long PlaintextLength { get; private set; }

    /// <summary>Bytes written to the destination; final once <see cref="CompleteAsync"/> has succeeded.</summary>
    public long CiphertextLength => Volatile.Read(ref ciphertextLength);

    /// <summary>SHA-256 of the whole plaintext; null until <see cref="CompleteAsync"/> has succeeded.</summary>
    public byte[]? PlaintextSha256 { get; private set; }

    /// <summary>All the plaintext and ciphertext this writer holds at any time: a few segments and their tags.</summary>
    internal int BufferCapacity => buffers.Sum(buffer => buffer.Length);

    /// <summary>The most <see cref="BufferCapacity"/> can grow to: the segment being filled and those in flight.</summary>
    internal int MaxBufferCapacity => (SegmentsInFlight + 1) * (SegmentSize + VideoCipher.TagLength);

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
                    await SealAsync(last: false, cancellationToken);
                }

                var take = Math.Min(SegmentSize - buffered, plaintext.Length);
                plaintext.Span[..take].CopyTo(filling.AsSpan(buffered));
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
            await SealAsync(last: true, cancellationToken);
            await lastWritten;
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

    /// <summary>Waits for the segments in flight (their failure is not reported), then wipes the buffers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        await lastWritten.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (writeback is not null)
        {
            await writeback.DrainAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Dispose();
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking while segments are still being written.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        // The tasks in flight use the cipher and the buffers: both stay until the last has finished
        // (each waits for the one before it, so the last finishes last).
        ((IAsyncResult)lastWritten).AsyncWaitHandle.WaitOne();
        if (writeback is not null)
        {
            ((IAsyncResult)writeback.DrainAsync()).AsyncWaitHandle.WaitOne();
        }

        disposed = true;
        foreach (var buffer in buffers)
        {
            CryptographicOperations.ZeroMemory(buffer);
        }

        cipher.Dispose();
        plaintextHash.Dispose();
    }

    /// <summary>
    /// Hands the filled segment to a task that seals and writes it after the segments before it,
    /// and takes a free buffer to fill next, waiting for the oldest segment in flight when all
    /// are taken (its failure surfaces here). The segment's index is taken before it is handed
    /// over, so a nonce is never used twice, even if a write fails.
    /// </summary>
    private async ValueTask SealAsync(bool last, CancellationToken cancellationToken)
    {
        byte[] next;
        if (inFlight.Count < SegmentsInFlight)
        {
            next = NewBuffer();
        }
        else
        {
            var (written, buffer) = inFlight.Dequeue();
            await written;
            next = buffer;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (segmentIndex >= VideoCipher.MaxSegmentCount)
        {
            throw new InvalidOperationException("The video is too long for its segment size: a nonce would repeat.");
        }

        var (segment, length, index, previous) = (filling, buffered, segmentIndex++, lastWritten);
        (filling, buffered) = (next, 0);
        lastWritten = Task.Run(() => SealAndWriteAsync(segment, length, index, last, previous, cancellationToken), CancellationToken.None);
        inFlight.Enqueue((lastWritten, segment));
    }

    /// <summary>Seals and writes one segment once the one before it is written; fails when that one failed.</summary>
    private async Task SealAndWriteAsync(byte[] segment, int length, long index, bool last, Task previous, CancellationToken cancellationToken)
    {
        await previous;
        Seal(segment, length, index, last);
        if (index == 0)
        {
            await destination.WriteAsync(header.Bytes, cancellationToken);
            Volatile.Write(ref ciphertextLength, VideoHeader.Length);
        }

        await destination.WriteAsync(segment.AsMemory(0, length + VideoCipher.TagLength), cancellationToken);
        var written = ciphertextLength + length + VideoCipher.TagLength;
        Volatile.Write(ref ciphertextLength, written);
        writeback?.Written(written);
    }

    private byte[] NewBuffer()
    {
        var buffer = new byte[SegmentSize + VideoCipher.TagLength];
        buffers.Add(buffer);
        return buffer;
    }

    private void Seal(byte[] segment, int length, long index, bool last)
    {
        Span<byte> nonce = stackalloc byte[VideoCipher.NonceLength];
        VideoCipher.SegmentNonce(nonce, header, index, last);
        var plaintext = segment.AsSpan(0, length);
        cipher.Encrypt(nonce, plaintext, plaintext, segment.AsSpan(length, VideoCipher.TagLength), header.Bytes.Span);
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (completed)
        {
            throw new InvalidOperationException("The video has already been completed.");
        }

        // After a failure a buffer may hold ciphertext, not plaintext; continuing could corrupt
        // the file or re-seal data under a used nonce, so the caller must start a new file.
        if (faulted)
        {
            throw new InvalidOperationException("A previous write failed; the encrypted video is incomplete.");
        }
    }
}
