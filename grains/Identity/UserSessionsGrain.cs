namespace Surveillance.Identity;

public sealed class UserSessionsGrain(
    [PersistentState("sessions", StorageNames.Main)] IPersistentState<UserSessionsState> state,
    TimeProvider clock) : Grain, IUserSessionsGrain
{
    private Dictionary<string, DateTimeOffset> Sessions => state.State.ExpiryByTokenId;

    public async Task OpenAsync(SessionTicket ticket)
    {
        DropExpired();
        Sessions[ticket.TokenId] = ticket.ExpiresAt;
        await state.WriteStateAsync();
    }

    public Task<bool> IsActiveAsync(string tokenId) =>
        Task.FromResult(Sessions.TryGetValue(tokenId, out var expiresAt) && expiresAt > clock.GetUtcNow());

    public async Task RevokeAsync(string tokenId)
    {
        if (Sessions.Remove(tokenId))
        {
            DropExpired();
            await state.WriteStateAsync();
        }
    }

    public async Task RevokeAllAsync(string? exceptTokenId)
    {
        var kept = exceptTokenId is not null && Sessions.TryGetValue(exceptTokenId, out var expiry)
            ? new Dictionary<string, DateTimeOffset> { [exceptTokenId] = expiry }
            : [];
        state.State.ExpiryByTokenId = kept;
        await state.WriteStateAsync();
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
