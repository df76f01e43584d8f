using System.Collections.Concurrent;
using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>
/// This instance's copy of the live sessions and profile of each user who sent a request lately,
/// leased from <see cref="IUserSessionsGrain"/>, so that the revocation check of a request (and
/// the profile of <c>GET /auth/me</c>) costs no grain call in the common case. ASVS 7.4.1 still
/// holds on every instance: a session grain returns from a revocation only after this cache has
/// dropped its copy (<see cref="ForgetAsync"/>) or the copy's lease has run out. A token the copy
/// does not list is asked of the grains again, so a new login works at once.
/// </summary>
public sealed class SessionCache : ISessionCacheObserver
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    /// <summary>Leases fetched for one check before it fails closed, when each lost to a newer recall.</summary>
    private const int MaxLeaseAttempts = 3;

    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly Lazy<ISessionCacheObserver> _reference;

    // One entry per user who presented a validly signed token: bounded by the accounts, never removed,
    // so that a recall's version is never lost. Expired copies are released by the sweep.
    private readonly ConcurrentDictionary<string, CachedUser> _users = new(StringComparer.Ordinal);
    private long _nextSweep;

    public SessionCache(IGrainFactory grains, TimeProvider clock)
    {
        _grains = grains;
        _clock = clock;
        // The grains call back through this reference; the cache is a singleton, so it outlives every grain's copy.
        _reference = new Lazy<ISessionCacheObserver>(() => grains.CreateObjectReference<ISessionCacheObserver>(this));
    }

    /// <summary>
    /// The user's profile when <paramref name="tokenId"/> is one of the user's live sessions; null when
    /// it is not (revoked, expired, never issued). The profile itself is null when the account is gone.
    /// </summary>
    public async ValueTask<SessionCheck> CheckAsync(string username, string tokenId)
    {
        var user = _users.GetOrAdd(username, _ => new CachedUser());
        SweepIfDue(_clock.GetTimestamp());
        for (var attempt = 0; attempt < MaxLeaseAttempts; attempt++)
        {
            var started = _clock.GetTimestamp();
            if (user.Current(started) is { } cached && cached.ExpiryByTokenId.ContainsKey(tokenId))
            {
                return Check(cached, tokenId);
            }

            var lease = await _grains.GetGrain<IUserSessionsGrain>(username).LeaseAsync(_reference.Value);
            if (!lease.ExpiryByTokenId.ContainsKey(tokenId))
            {
                // Revoked or expired (a token is listed before it is handed out): one grain call, as before the cache.
                return new SessionCheck(false, null);
            }

            // Read after the lease: a profile change after this read recalls the lease (a newer version).
            var profile = await _grains.GetGrain<IUserGrain>(username).GetAsync();
            var copy = new CachedSessions(lease.Version, lease.ExpiryByTokenId, profile, started + ToTimestampTicks(lease.Lifetime));
            if (user.Store(copy, _clock.GetTimestamp()) is { } kept)
            {
                return Check(kept, tokenId);
            }

            // A recall newer than this lease arrived while it was in flight (or it ran out): the
            // revocation it announces may be of this very token, and the revoking call may already
            // have returned, so the lease is not trusted for this request either. Ask again.
        }

        // Leases keep losing to recalls (sessions changing faster than a lease round trip): fail closed.
        return new SessionCheck(false, null);
    }

    /// <inheritdoc />
    public Task ForgetAsync(string username, long version)
    {
        _users.GetOrAdd(username, _ => new CachedUser()).Forget(version);
        return Task.CompletedTask;
    }

    private SessionCheck Check(CachedSessions copy, string tokenId) =>
        copy.ExpiryByTokenId.TryGetValue(tokenId, out var expiresAt) && expiresAt > _clock.GetUtcNow()
            ? new SessionCheck(true, copy.Profile)
            : new SessionCheck(false, null);

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _clock.TimestampFrequency);

    private void SweepIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + ToTimestampTicks(SweepInterval), due) != due)
        {
            return;
        }

        foreach (var user in _users.Values)
        {
            user.Current(now);
        }
    }

    private sealed record CachedSessions(
        long Version, IReadOnlyDictionary<string, DateTimeOffset> ExpiryByTokenId, UserProfile? Profile, long ExpiresAt);

    private sealed class CachedUser
    {
        private readonly Lock _lock = new();
        private long _forgottenVersion = long.MinValue;
        private CachedSessions? _copy;

        /// <summary>The copy while its lease lasts; an expired one is released.</summary>
        public CachedSessions? Current(long now)
        {
            var copy = Volatile.Read(ref _copy);
            if (copy is null || copy.ExpiresAt > now)
            {
                return copy;
            }

            lock (_lock)
            {
                if (ReferenceEquals(_copy, copy))
                {
                    _copy = null;
                }
            }

            return null;
        }

        /// <summary>
        /// Keeps a lease unless a recall of its version (or a later one) came first, or it has already run
        /// out. Returns the copy a check may use: this one, or a newer one kept meanwhile; null when
        /// this lease lost to a recall or ran out.
        /// </summary>
        public CachedSessions? Store(CachedSessions copy, long now)
        {
            lock (_lock)
            {
                if (copy.Version < _forgottenVersion || copy.ExpiresAt <= now)
                {
                    return null;
                }

                if (_copy is { } newer && newer.Version > copy.Version)
                {
                    return newer.ExpiresAt > now ? newer : null;
                }

                Volatile.Write(ref _copy, copy);
                return copy;
            }
        }

        public void Forget(long version)
        {
            lock (_lock)
            {
                _forgottenVersion = Math.Max(_forgottenVersion, version);
                if (_copy is { } copy && copy.Version < _forgottenVersion)
                {
                    Volatile.Write(ref _copy, null);
                }
            }
        }
    }
}

/// <summary>The outcome of a session check: whether the token is live, and its user's profile.</summary>
public readonly record struct SessionCheck(bool IsActive, UserProfile? Profile);
