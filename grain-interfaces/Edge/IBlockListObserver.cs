using Orleans.Concurrency;

namespace Surveillance.Edge;

/// <summary>An API instance's copy of the block list, told of every change by <see cref="IBlockedIpsGrain"/>.</summary>
[Alias("surveillance.IBlockListObserver")]
public interface IBlockListObserver : IGrainObserver
{
    /// <summary>A new or renewed block. One-way: a slow or gone instance must not hold up the others.</summary>
    [Alias("BlockedAsync"), OneWay] Task BlockedAsync(long version, BlockInfo block);

    [Alias("UnblockedAsync"), OneWay] Task UnblockedAsync(long version, string ip);
}
