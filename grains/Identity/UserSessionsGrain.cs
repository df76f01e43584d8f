namespace Surveillance.Identity;

public sealed class UserSessionsGrain(
    [PersistentState("sessions", StorageNames.Main)] IPersistentState<UserSessionsState> state,
    TimeProvider clock) : Grain, IUserSessionsGrain
{
    private readonly SessionLeaseHolders _holders = new(clock);

    // Orders leases and recalls for the holders; starts from the clock so that it grows across activations.
    private long _version = clock.GetUtcNow().UtcTicks;

    private Dictionary<string, DateTimeOffset> Sessions => state.State.ExpiryByTokenId;

    public async Task OpenAsync(SessionTicket ticket)
    {
        DropExpired();
        Sessions[ticket.TokenId] = ticket.ExpiresAt;
        await state.WriteStateAsync();
        // Not a revocation (a holder that lacks the token asks again), but cached profiles show the last login.
        await RecallAsync(revocation: false);
    }

    public Task<SessionLease> LeaseAsync(ISessionCacheObserver holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        _holders.Grant(holder);
        var now = clock.GetUtcNow();
        var live = Sessions.Where(s => s.Value > now).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        return Task.FromResult(new SessionLease(_version, live, SessionLeaseHolders.Lifetime));
    }

    public Task ProfileChangedAsync() => RecallAsync(revocation: false);

    public async Task RevokeAsync(string tokenId)
    {
        if (Sessions.Remove(tokenId))
        {
            DropExpired();
            await state.WriteStateAsync();
            await RecallAsync(revocation: true);
        }
    }

    public async Task RevokeAllAsync(string? exceptTokenId)
    {
        var kept = exceptTokenId is not null && Sessions.TryGetValue(exceptTokenId, out var expiry)
            ? new Dictionary<string, DateTimeOffset> { [exceptTokenId] = expiry }
            : [];
        state.State.ExpiryByTokenId = kept;
        await state.WriteStateAsync();
        await RecallAsync(revocation: true);
    }

    // ASVS 7.4.1 across instances: a revocation returns only once no API instance still trusts a copy
    // that lists the token.
    private Task RecallAsync(bool revocation)
    {
        _version = Math.Max(_version + 1, clock.GetUtcNow().UtcTicks);
        return _holders.RecallAsync(this.GetPrimaryKeyString(), _version, includingUnknown: revocation);
    }

    private void DropExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var expired in Sessions.Where(s => s.Value <= now).Select(s => s.Key).ToList())
        {
            Sessions.Remove(expired);
        }
    }
}
