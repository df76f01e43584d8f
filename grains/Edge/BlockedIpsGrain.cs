using Microsoft.Extensions.Options;
using Surveillance.Telemetry;

namespace Surveillance.Edge;

public sealed class BlockedIpsGrain(
    [PersistentState("blocked-ips", StorageNames.Main)] IPersistentState<BlockedIpsState> state,
    IOptions<ThreatOptions> threatOptions,
    SurveillanceMetrics metrics,
    TimeProvider clock) : Grain, IBlockedIpsGrain
{
    /// <summary>An API instance renews every <c>BlockList.RenewInterval</c>; one that stops is dropped after this.</summary>
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromSeconds(10);

    /// <summary>A client's earlier blocks stop doubling the next one a day after the last ended (fail2ban's dbpurgeage).</summary>
    private static readonly TimeSpan OffenceMemory = TimeSpan.FromDays(1);

    private readonly ThreatOptions _options = threatOptions.Value;
    private readonly Dictionary<IBlockListObserver, DateTimeOffset> _subscribers = [];

    // Starts at the activation's clock so that a new activation's versions are newer than any an instance holds.
    private long _version = clock.GetUtcNow().UtcTicks;

    public async Task<BlockInfo> BlockAsync(string ip, string reason, int? durationSeconds, int threatCount)
    {
        var now = clock.GetUtcNow();
        DropExpired(now);
        if (durationSeconds is null && state.State.ByIp.TryGetValue(ip, out var existing))
        {
            return existing; // an automatic block never extends or stacks on a running one
        }

        var offences = Offences(ip, now);
        var seconds = durationSeconds
            ?? Math.Min((double)_options.BlockSeconds * Math.Pow(2, offences), _options.MaxBlockSeconds);
        var block = new BlockInfo(ip, reason, now, now.AddSeconds(seconds), threatCount);
        state.State.ByIp[ip] = block;
        if (durationSeconds is null)
        {
            state.State.Offences[ip] = new BlockOffences(offences + 1, block.ExpiresAt);
        }

        await state.WriteStateAsync();
        metrics.IpBlocked(BlockReasonTag.Of(reason, durationSeconds));
        var version = ++_version;
        Notify(observer => observer.BlockedAsync(version, block));
        return block;
    }

    public async Task<bool> RemoveAsync(string ip)
    {
        var now = clock.GetUtcNow();
        var wasActive = state.State.ByIp.TryGetValue(ip, out var block) && block.ExpiresAt > now;
        var changed = state.State.ByIp.Remove(ip) | state.State.Offences.Remove(ip);
        if (changed)
        {
            DropExpired(now);
            await state.WriteStateAsync();
            var version = ++_version;
            Notify(observer => observer.UnblockedAsync(version, ip));
        }

        return wasActive;
    }

    public Task<IReadOnlyList<BlockInfo>> ListAsync() =>
        Task.FromResult<IReadOnlyList<BlockInfo>>(Active(clock.GetUtcNow()).OrderByDescending(b => b.BlockedAt).ToList());

    public Task<IpBlockRecord> FindAsync(string ip)
    {
        var now = clock.GetUtcNow();
        var block = state.State.ByIp.TryGetValue(ip, out var found) && found.ExpiresAt > now ? found : null;
        return Task.FromResult(new IpBlockRecord(block, Offences(ip, now)));
    }

    public Task<BlockListSnapshot> SubscribeAsync(IBlockListObserver observer, long knownVersion)
    {
        var now = clock.GetUtcNow();
        _subscribers[observer] = now + SubscriptionLifetime;
        foreach (var lapsed in _subscribers.Where(s => s.Value <= now).Select(s => s.Key).ToList())
        {
            _subscribers.Remove(lapsed);
        }

        var blocks = knownVersion == _version ? null : Active(now).ToList();
        return Task.FromResult(new BlockListSnapshot(_version, blocks, _subscribers.Count));
    }

    private IEnumerable<BlockInfo> Active(DateTimeOffset now) => state.State.ByIp.Values.Where(b => b.ExpiresAt > now);

    private int Offences(string ip, DateTimeOffset now) =>
        state.State.Offences.TryGetValue(ip, out var offences) && offences.LastExpiresAt + OffenceMemory > now ? offences.Count : 0;

    // One-way calls: each instance gets the change at once, and a dead one costs nothing but its lapse.
    private void Notify(Func<IBlockListObserver, Task> send)
    {
        var now = clock.GetUtcNow();
        foreach (var (observer, until) in _subscribers)
        {
            if (until > now)
            {
                _ = SendAsync(observer, send);
            }
        }
    }

    private static async Task SendAsync(IBlockListObserver observer, Func<IBlockListObserver, Task> send)
    {
        try
        {
            await send(observer);
        }
        catch (Exception)
        {
            // A lost push is repaired by the instance's next renewal (it sees a newer version).
        }
    }

    private void DropExpired(DateTimeOffset now)
    {
        foreach (var ip in state.State.ByIp.Where(p => p.Value.ExpiresAt <= now).Select(p => p.Key).ToList())
        {
            state.State.ByIp.Remove(ip);
        }

        foreach (var ip in state.State.Offences.Where(p => p.Value.LastExpiresAt + OffenceMemory <= now).Select(p => p.Key).ToList())
        {
            state.State.Offences.Remove(ip);
        }
    }
}
