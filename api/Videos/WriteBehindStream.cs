using System.Buffers;
using System.Threading.Channels;

namespace Surveillance.Api.Videos;

/// <summary>
/// A write-only stream that hands each write to a background task writing to the file, so the
/// next chunk is received, hashed and encrypted while the previous one goes to disk. At most
/// <see cref="MaxPendingWrites"/> writes are queued (memory stays bounded); a disk error surfaces
/// on the next write or on <see cref="DrainAsync"/>.
/// </summary>
public sealed class WriteBehindStream : Stream
{
    public const int MaxPendingWrites = 4;

    private readonly Stream _file;
    private readonly Channel<(byte[] Buffer, int Length)> _pending =
        Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(MaxPendingWrites) { SingleReader = true, SingleWriter = true });
    private readonly Task _writer;

    public WriteBehindStream(Stream file, CancellationToken cancellationToken)
    {
        _file = file;
        _writer = Task.Run(() => WriteAllAsync(cancellationToken), cancellationToken);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_writer.IsFaulted)
        {
            await _writer; // rethrows the disk error
        }

        var copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
        buffer.CopyTo(copy);
        try
        {
            await _pending.Writer.WriteAsync((copy, buffer.Length), cancellationToken);
        }
        catch (ChannelClosedException)
        {
            ArrayPool<byte>.Shared.Return(copy);
            await _writer;
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Waits until every queued write is on the file (not yet fsynced).</summary>
    public async Task DrainAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
    }

    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _pending.Writer.TryComplete();
        base.Dispose(disposing);
    }

    /// <summary>Stops accepting writes and waits for the background writer, so the file is not used after disposal.</summary>
    public override async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        try
        {
            await _writer;
        }
        catch (Exception) when (_writer.IsFaulted || _writer.IsCanceled)
        {
            // Already surfaced to the upload (or the upload failed first and is being cleaned up).
        }

        await base.DisposeAsync();
    }

    private async Task WriteAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (buffer, length) in _pending.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await _file.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch
        {
            _pending.Writer.TryComplete();
            while (_pending.Reader.TryRead(out var left))
            {
                ArrayPool<byte>.Shared.Return(left.Buffer);
            }

            throw;
        }
    }
}
