using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>
/// Keeps the per-request edge check off the network in the common case. The IP grain leases this
/// API instance a few permits at a time (never more than the window has left, so the limit holds
/// cluster-wide), and a refusal (block or exhausted window) is remembered briefly, so refusing a
/// client costs less than serving it. A lease lives at most <see cref="LeaseLifetime"/>.
/// Small limits (login, upload) lease one permit at a time, so they stay exact.
/// <para>
/// Local admission: before asking the grain at all, each of the N instances holding the block list
/// admits up to <c>L = floor(Limit × LocalAdmissionShare / N)</c> requests of a client per sliding window
/// on its own, and tells the grain to keep N × L of every window back. Cluster-wide the limit
/// therefore holds exactly: N × L local + (Limit − N × L) from the grain. An address seen for the first
/// time — an address rotation — costs no grain call and no silo memory until it has used its local share.
/// While the number of instances changes, an instance may use the share of the old count for one renewal
/// (<see cref="BlockList.RenewInterval"/>): at most (L_old − L_new) per instance above the limit, once.
/// </para>
/// </summary>
public sealed class AdmissionCache(IGrainFactory grains, TimeProvider clock, BlockList? blockList = null, IOptions<RateLimitOptions>? options = null)
{
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(1);

    /// <summary>How often idle clients are dropped, so memory follows active IPs, not every IP ever seen.</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, ClientLeases> _clients = new();
    private readonly double _localShare = blockList is null ? 0 : options?.Value.LocalAdmissionShare ?? 0;
    private long _nextSweepTicks;

    public static int LeaseSize(RateRule rule) => Math.Clamp(rule.Limit / 20, 1, 50);

    /// <summary>
    /// Spends a permit of the client's lease without a lock (many connections of one client share it);
    /// when the lease is spent or expired, one request asks the grain for the next and the others wait
    /// for that answer instead of each asking.
    /// </summary>
    public async Task<EdgeDecision> AdmitAsync(string ip, RateRule rule)
    {
        SweepIfDue(clock.GetUtcNow());
        var client = _clients.GetOrAdd(ip, static _ => new ClientLeases());
        var lease = client.Lease(rule.Name);
        lease.WindowSeconds = rule.WindowSeconds;
        var (local, reserved) = LocalBudget(rule);
        while (true)
        {
            var now = clock.GetUtcNow();
            if (Volatile.Read(ref client.Block) is { } notice && notice.RecheckAt > now)
            {
                return EdgeDecision.Blocked(notice.Block);
            }

            if (local > 0 && lease.TryTakeLocal(local, rule.WindowSeconds, now, out var localLeft))
            {
                // Remaining counts this instance's share and the grain's part, which may already be spent elsewhere.
                return new EdgeDecision(true, null, rule.Limit, localLeft + rule.Limit - reserved, now.AddSeconds(rule.WindowSeconds));
            }

            if (Volatile.Read(ref lease.Current) is { } grant && grant.ExpiresAt > now)
            {
                if (grant.Admission.Granted == 0)
                {
                    return EdgeDecision.Limited(grant.Admission);
                }

                var left = Interlocked.Decrement(ref grant.Left);
                if (left >= 0)
                {
                    return EdgeDecision.Allowed(grant.Admission, left);
                }
            }

            await RefillAsync(ip, rule, reserved, client, lease, now);
        }
    }

    /// <summary>A block this instance just learned of applies to every rule at once.</summary>
    public void Blocked(string ip, BlockInfo block)
    {
        blockList?.Add(block);
        RememberBlock(_clients.GetOrAdd(ip, static _ => new ClientLeases()), block, clock.GetUtcNow());
    }

    /// <summary>Forgets everything about the IP (an administrator unblocked it here).</summary>
    public void Forget(string ip)
    {
        blockList?.Remove(ip);
        _clients.TryRemove(ip, out _);
    }

    /// <summary>This instance's local share L of the rule, and the N × L the grain keeps back.</summary>
    private (int Local, int Reserved) LocalBudget(RateRule rule)
    {
        if (_localShare <= 0 || rule.Name == RateRules.Login || blockList is null)
        {
            return (0, 0);
        }

        var instances = blockList.Instances;
        var local = (int)Math.Floor(rule.Limit * _localShare / instances);
        return local >= 1 ? (local, local * instances) : (0, 0);
    }

    // Joins the refill in flight, or starts one that hands back what is left of the current grant.
    private Task RefillAsync(string ip, RateRule rule, int reserved, ClientLeases client, Lease lease, DateTimeOffset now)
    {
        lock (lease)
        {
            if (lease.Refill is { IsCompleted: false } inFlight)
            {
                return inFlight;
            }

            var current = lease.Current;
            if (current is not null && current.ExpiresAt > now && (current.Admission.Granted == 0 || Volatile.Read(ref current.Left) > 0))
            {
                return Task.CompletedTask; // refilled meanwhile
            }

            // Permits not yet spent go back to the grain; the withdrawn grant refuses every later spender.
            var returned = current is null ? 0 : Math.Max(0, Interlocked.Exchange(ref current.Left, Grant.Withdrawn));
            return lease.Refill = AskGrainAsync(ip, rule, reserved, client, lease, returned, now);
        }
    }

    private async Task AskGrainAsync(string ip, RateRule rule, int reserved, ClientLeases client, Lease lease, int returned, DateTimeOffset now)
    {
        var admission = await grains.GetGrain<IClientIpGrain>(ip).AdmitAsync(rule, LeaseSize(rule), returned, reserved);
        if (admission.Block is { } block)
        {
            RememberBlock(client, block, now);
            return;
        }

        Volatile.Write(ref client.Block, null);
        // A grant lives its full lease: under steady traffic the oldest admission is always about
        // to leave the window, so ResetAt is ~now and would make every request a grain call.
        // A refusal is remembered only until the window frees a permit.
        var expiresAt = admission.Granted > 0 ? now + LeaseLifetime : Min(now + LeaseLifetime, admission.ResetAt);
        Volatile.Write(ref lease.Current, new Grant(admission, expiresAt));
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var (ip, client) in _clients)
        {
            if (client.IsIdle(now))
            {
                _clients.TryRemove(ip, out _);
            }
        }
    }

    private static void RememberBlock(ClientLeases client, BlockInfo block, DateTimeOffset now)
    {
        Volatile.Write(ref client.Block, new BlockNotice(block, Min(now + LeaseLifetime, block.ExpiresAt)));
        foreach (var lease in client.Leases.Values)
        {
            Volatile.Write(ref lease.Current, null);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed record BlockNotice(BlockInfo Block, DateTimeOffset RecheckAt);

    private sealed class ClientLeases
    {
        public BlockNotice? Block;

        public ConcurrentDictionary<string, Lease> Leases { get; } = new(StringComparer.Ordinal);

        public Lease Lease(string rule) => Leases.GetOrAdd(rule, static _ => new Lease());

        public bool IsIdle(DateTimeOffset now) =>
            !(Volatile.Read(ref Block)?.RecheckAt > now)
            && Leases.Values.All(l => !(Volatile.Read(ref l.Current)?.ExpiresAt > now) && l.Refill is not { IsCompleted: false } && l.LocalIsIdle(now, l.WindowSeconds));
    }

    private sealed class Lease
    {
        public Grant? Current;
        public Task? Refill;
        public int WindowSeconds;

        // This instance's own admissions of the client (local share), oldest first: a sliding log like the grain's.
        private Queue<DateTimeOffset>? _local;
        private DateTimeOffset _lastLocal;

        public bool TryTakeLocal(int local, int windowSeconds, DateTimeOffset now, out int left)
        {
            lock (this)
            {
                _local ??= new Queue<DateTimeOffset>(2);
                var windowStart = now.AddSeconds(-windowSeconds);
                while (_local.TryPeek(out var oldest) && oldest <= windowStart)
                {
                    _local.Dequeue();
                }

                left = local - _local.Count - 1;
                if (left < 0)
                {
                    left = 0;
                    return false;
                }

                _local.Enqueue(now);
                _lastLocal = now;
                return true;
            }
        }

        /// <summary>Only a client whose local admissions all left their window may be forgotten (or its share would restart).</summary>
        public bool LocalIsIdle(DateTimeOffset now, int windowSeconds)
        {
            lock (this)
            {
                return _lastLocal <= now.AddSeconds(-windowSeconds);
            }
        }
    }

    /// <summary>One answer of the grain and the permits of it not yet spent (negative once spent or withdrawn).</summary>
    private sealed class Grant(Admission admission, DateTimeOffset expiresAt)
    {
        public const int Withdrawn = -1_000_000;

        public int Left = admission.Granted;

        public Admission Admission { get; } = admission;
        public DateTimeOffset ExpiresAt { get; } = expiresAt;
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
