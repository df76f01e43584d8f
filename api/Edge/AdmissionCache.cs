using System.Collections.Concurrent;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>
/// Keeps the per-request edge check off the network in the common case. The IP grain leases this
/// API instance a few permits at a time (never more than the window has left, so the limit holds
/// cluster-wide), and a refusal (block or exhausted window) is remembered briefly, so refusing a
/// client costs less than serving it. A lease lives at most <see cref="LeaseLifetime"/>: that is
/// also the longest a block made through another API instance takes to reach this one.
/// Small limits (login, upload) lease one permit at a time, so they stay exact.
/// </summary>
public sealed class AdmissionCache(IGrainFactory grains, TimeProvider clock)
{
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(1);

    /// <summary>How often idle clients are dropped, so memory follows active IPs, not every IP ever seen.</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, ClientLeases> _clients = new();
    private long _nextSweepTicks;

    public static int LeaseSize(RateRule rule) => Math.Clamp(rule.Limit / 20, 1, 50);

    public async Task<EdgeDecision> AdmitAsync(string ip, RateRule rule)
    {
        var now = clock.GetUtcNow();
        SweepIfDue(now);
        var client = _clients.GetOrAdd(ip, _ => new ClientLeases());
        int returned;
        lock (client)
        {
            if (client.Block is { } block && client.BlockRecheckAt > now)
            {
                return EdgeDecision.Blocked(block);
            }

            var lease = client.Lease(rule.Name);
            if (lease.ExpiresAt > now && lease.Remaining > 0)
            {
                lease.Remaining--;
                return EdgeDecision.Allowed(lease.Last!, lease.Remaining);
            }

            if (lease.ExpiresAt > now && lease.Last is { Granted: 0 } refused)
            {
                return EdgeDecision.Limited(refused);
            }

            returned = lease.Remaining;
            lease.Remaining = 0;
        }

        var admission = await grains.GetGrain<IClientIpGrain>(ip).AdmitAsync(rule, LeaseSize(rule), returned);
        lock (client)
        {
            var lease = client.Lease(rule.Name);
            lease.Last = admission;
            // A grant lives its full lease: under steady traffic the oldest admission is always about
            // to leave the window, so ResetAt is ~now and would make every request a grain call.
            // A refusal is remembered only until the window frees a permit.
            lease.ExpiresAt = admission.Granted > 0 ? now + LeaseLifetime : Min(now + LeaseLifetime, admission.ResetAt);
            if (admission.Block is { } block)
            {
                RememberBlock(client, block, now);
                return EdgeDecision.Blocked(block);
            }

            client.Block = null;
            if (admission.Granted == 0)
            {
                return EdgeDecision.Limited(admission);
            }

            lease.Remaining = admission.Granted - 1;
            return EdgeDecision.Allowed(admission, lease.Remaining);
        }
    }

    /// <summary>A block this instance just learned of applies to every rule at once.</summary>
    public void Blocked(string ip, BlockInfo block)
    {
        var client = _clients.GetOrAdd(ip, _ => new ClientLeases());
        lock (client)
        {
            RememberBlock(client, block, clock.GetUtcNow());
        }
    }

    /// <summary>Forgets everything about the IP (an administrator unblocked it here).</summary>
    public void Forget(string ip) => _clients.TryRemove(ip, out _);

    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var (ip, client) in _clients)
        {
            lock (client)
            {
                if (client.BlockRecheckAt <= now && client.Leases.Values.All(l => l.ExpiresAt <= now))
                {
                    _clients.TryRemove(ip, out _);
                }
            }
        }
    }

    private static void RememberBlock(ClientLeases client, BlockInfo block, DateTimeOffset now)
    {
        client.Block = block;
        client.BlockRecheckAt = Min(now + LeaseLifetime, block.ExpiresAt);
        client.Leases.Clear();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed class ClientLeases
    {
        public Dictionary<string, Lease> Leases { get; } = [];
        public BlockInfo? Block { get; set; }
        public DateTimeOffset BlockRecheckAt { get; set; }

        public Lease Lease(string rule)
        {
            if (!Leases.TryGetValue(rule, out var lease))
            {
                Leases[rule] = lease = new Lease();
            }

            return lease;
        }
    }

    private sealed class Lease
    {
        public int Remaining { get; set; }
        public DateTimeOffset ExpiresAt { get; set; }
        public Admission? Last { get; set; }
    }
}

/// <summary>The edge's verdict on one request, with the figures for the rate-limit headers.</summary>
public sealed record EdgeDecision(bool IsAllowed, BlockInfo? Block, int Limit, int Remaining, DateTimeOffset ResetAt)
{
    public static EdgeDecision Allowed(Admission admission, int leasedLeft) =>
        new(true, null, admission.Limit, admission.Remaining + leasedLeft, admission.ResetAt);

    public static EdgeDecision Limited(Admission admission) =>
        new(false, null, admission.Limit, 0, admission.ResetAt);

    public static EdgeDecision Blocked(BlockInfo block) => new(false, block, 0, 0, block.ExpiresAt);
}
