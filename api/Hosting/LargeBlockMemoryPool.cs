using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Surveillance.Api.Hosting;

/// <summary>
/// Gives Kestrel buffers of <see cref="LargeBlockMemoryPool.BlockSize"/> instead of its default
/// 4 KiB blocks. The socket transport receives into one block at a time, so a 400 MiB upload
/// costs some 13,000 receive calls, pipe flushes and thread hops instead of 100,000, which is a
/// large share of the API's CPU per upload (figures: bench/README.md). Registered in place of
/// Kestrel's own factory; the transport picks it up from dependency injection.
/// </summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}

/// <summary>
/// Fixed-size pinned blocks (the socket layer then need not pin them per call), reused through a
/// lock-free queue that keeps at most <see cref="MaxPooledBlocks"/> idle blocks; beyond that a
/// returned block is left to the garbage collector, so a burst of connections does not pin its
/// peak memory for ever. The cost: a connection that has sent a few bytes holds a whole block.
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 32 * 1024;
    public const int MaxPooledBlocks = 512;

    private readonly ConcurrentQueue<byte[]> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks kept for reuse right now.</summary>
    public int IdleBlocks => Volatile.Read(ref _idleCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_idle.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _idleCount);
        }
        else
        {
            block = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        }

        return new Lease(this, block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _idle.Clear();
    }

    private void Return(byte[] block)
    {
        if (_disposed)
        {
            return;
        }

        if (Interlocked.Increment(ref _idleCount) <= MaxPooledBlocks)
        {
            _idle.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }

    /// <summary>One rented block; disposing it twice returns it once.</summary>
    private sealed class Lease(LargeBlockMemoryPool pool, byte[] block) : IMemoryOwner<byte>
    {
        private byte[]? _block = block;

        public Memory<byte> Memory => _block ?? throw new ObjectDisposedException(nameof(Lease));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _block, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
