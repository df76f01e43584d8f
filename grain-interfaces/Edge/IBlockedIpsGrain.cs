using Orleans.Concurrency;

namespace Surveillance.Edge;

/// <summary>
/// The cluster's blocks (key 0): the durable record of every active block and of how often each
/// client was blocked before, and the source of the copy every API instance holds. Blocks are pushed
/// to the subscribed instances as they happen, so a blocked client is refused before authentication
/// without a grain call.
/// </summary>
[Alias("surveillance.IBlockedIpsGrain")]
public interface IBlockedIpsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Blocks the client key. <paramref name="durationSeconds"/> null: the automatic block of
    /// <c>Threats:BlockSeconds</c>, doubled for each earlier block (fail2ban's bantime.increment).
    /// </summary>
    [Alias("BlockAsync")] Task<BlockInfo> BlockAsync(string ip, string reason, int? durationSeconds, int threatCount);

    /// <summary>Lifts the block; true when there was an active one.</summary>
    [Alias("RemoveAsync")] Task<bool> RemoveAsync(string ip);

    /// <summary>Blocks that have not expired, newest first.</summary>
    [Alias("ListAsync"), ReadOnly] Task<IReadOnlyList<BlockInfo>> ListAsync();

    /// <summary>The client's active block (if any) and how many blocks it has had.</summary>
    [Alias("FindAsync"), ReadOnly] Task<IpBlockRecord> FindAsync(string ip);

    /// <summary>
    /// Subscribes (or renews the subscription of) an API instance's block list; the subscription
    /// lapses unless renewed. Returns the full list unless <paramref name="knownVersion"/> is current.
    /// </summary>
    [Alias("SubscribeAsync")] Task<BlockListSnapshot> SubscribeAsync(IBlockListObserver observer, long knownVersion);
}
