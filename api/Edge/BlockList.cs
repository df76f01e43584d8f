using System.Collections.Concurrent;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>
/// This API instance's copy of the cluster's blocks, so that a blocked client is refused before
/// authentication and without a grain call. <see cref="IBlockedIpsGrain"/> pushes every change the
/// moment it is stored (one-way calls); <see cref="BlockListSubscription"/> renews the subscription
/// every <see cref="RenewInterval"/> and fetches the whole list whenever a push was lost (its version
/// is behind). Staleness: a push arrives within milliseconds; a lost push is repaired within
/// <see cref="RenewInterval"/>. Expiry needs no message: each entry carries its end.
/// </summary>
public sealed class BlockList : IBlockListObserver
{
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(2);

    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly Lazy<IBlockListObserver> _reference;
    private readonly object _loadLock = new();
    private ConcurrentDictionary<string, BlockInfo> _blocks = new(StringComparer.Ordinal);
    private Task? _firstLoad;
    private long _version = -1;
    private int _instances = 1;

    public BlockList(IGrainFactory grains, TimeProvider clock)
    {
        _grains = grains;
        _clock = clock;
        // The grain calls back through this reference; the list is a singleton, so it outlives the subscription.
        _reference = new Lazy<IBlockListObserver>(() => grains.CreateObjectReference<IBlockListObserver>(this));
    }

    /// <summary>API instances holding a copy of the list (at least this one): each admits its share of an unseen client.</summary>
    public int Instances => Volatile.Read(ref _instances);

    /// <summary>The client's active block, if any. Loads the list on first use (a cluster fault surfaces as 503).</summary>
    public async ValueTask<BlockInfo?> FindAsync(string clientKey)
    {
        if (Volatile.Read(ref _version) < 0)
        {
            await FirstLoadAsync();
        }

        return _blocks.TryGetValue(clientKey, out var block) && block.ExpiresAt > _clock.GetUtcNow() ? block : null;
    }

    /// <summary>A block this instance caused or was told of by the grain that stored it: effective here at once.</summary>
    public void Add(BlockInfo block) => _blocks[block.Ip] = block;

    public void Remove(string clientKey) => _blocks.TryRemove(clientKey, out _);

    public Task BlockedAsync(long version, BlockInfo block)
    {
        Add(block);
        Advance(version);
        return Task.CompletedTask;
    }

    public Task UnblockedAsync(long version, string ip)
    {
        Remove(ip);
        Advance(version);
        return Task.CompletedTask;
    }

    /// <summary>Subscribes or renews; replaces the whole copy when the grain's version differs from ours.</summary>
    public async Task RenewAsync()
    {
        var snapshot = await _grains.GetGrain<IBlockedIpsGrain>(0).SubscribeAsync(_reference.Value, Volatile.Read(ref _version));
        Volatile.Write(ref _instances, Math.Max(1, snapshot.Subscribers));
        if (snapshot.Blocks is { } blocks)
        {
            Volatile.Write(ref _blocks, new ConcurrentDictionary<string, BlockInfo>(
                blocks.Select(b => KeyValuePair.Create(b.Ip, b)), StringComparer.Ordinal));
            Volatile.Write(ref _version, snapshot.Version);
        }
    }

    private Task FirstLoadAsync()
    {
        lock (_loadLock)
        {
            if (_firstLoad is null || _firstLoad.IsFaulted || _firstLoad.IsCanceled)
            {
                _firstLoad = RenewAsync();
            }

            return _firstLoad;
        }
    }

    // A push that skips a version means one was lost: the next renewal fetches the whole list.
    private void Advance(long version)
    {
        var current = Volatile.Read(ref _version);
        if (current >= 0 && version == current + 1)
        {
            Interlocked.CompareExchange(ref _version, version, current);
        }
        else if (version > current)
        {
            Volatile.Write(ref _version, 0); // anything but the grain's version: forces a full fetch
        }
    }
}
