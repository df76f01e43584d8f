using System.Runtime.InteropServices;
using Surveillance.Api.Hosting;

namespace Surveillance.Tests.Hosting;

/// <summary>Kestrel's buffers: 32 KiB blocks, reused, with a bound on what the pool keeps idle.</summary>
public sealed class LargeBlockMemoryPoolTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(4096)] // what Kestrel's pipes ask for
    [InlineData(LargeBlockMemoryPool.BlockSize)]
    public void Rent_AnySizeUpToABlock_GivesAWholeBlock(int size)
    {
        using var pool = new LargeBlockMemoryPoolFactory().Create();
        using var lease = pool.Rent(size);

        Assert.Equal(LargeBlockMemoryPool.BlockSize, lease.Memory.Length);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void Rent_MoreThanABlock_IsRefused()
    {
        using var pool = new LargeBlockMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void ReturnedBlock_IsReused_AndALeaseDisposedTwiceReturnsItOnce()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent();
        var block = ArrayOf(first);

        first.Dispose();
        first.Dispose();

        Assert.Equal(1, pool.IdleBlocks);
        Assert.Throws<ObjectDisposedException>(() => first.Memory);
        using var second = pool.Rent();
        Assert.Same(block, ArrayOf(second));
        Assert.Equal(0, pool.IdleBlocks);
    }

    [Fact]
    public void Burst_OfMoreBlocksThanThePoolKeeps_LeavesTheRestToTheCollector()
    {
        using var pool = new LargeBlockMemoryPool();
        var leases = Enumerable.Range(0, LargeBlockMemoryPool.MaxPooledBlocks + 100).Select(_ => pool.Rent()).ToList();

        leases.ForEach(lease => lease.Dispose());

        Assert.Equal(LargeBlockMemoryPool.MaxPooledBlocks, pool.IdleBlocks);
    }

    [Fact]
    public void DisposedPool_RefusesRents_AndKeepsNothing()
    {
        var pool = new LargeBlockMemoryPool();
        var lease = pool.Rent();
        pool.Dispose();

        lease.Dispose();

        Assert.Equal(0, pool.IdleBlocks);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    private static byte[] ArrayOf(System.Buffers.IMemoryOwner<byte> lease) =>
        MemoryMarshal.TryGetArray<byte>(lease.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");
}
