using Orleans.Concurrency;

namespace Surveillance.Edge;

/// <summary>The cluster's list of blocked IPs (key 0), kept by the IP grains, for administrators.</summary>
[Alias("surveillance.IBlockedIpsGrain")]
public interface IBlockedIpsGrain : IGrainWithIntegerKey
{
    [Alias("SetAsync")] Task SetAsync(BlockInfo block);

    [Alias("RemoveAsync")] Task RemoveAsync(string ip);

    /// <summary>Blocks that have not expired, newest first.</summary>
    [Alias("ListAsync"), ReadOnly] Task<IReadOnlyList<BlockInfo>> ListAsync();
}
