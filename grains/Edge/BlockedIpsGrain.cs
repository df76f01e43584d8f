namespace Surveillance.Edge;

public sealed class BlockedIpsGrain(
    [PersistentState("blocked-ips", StorageNames.Main)] IPersistentState<BlockedIpsState> state,
    TimeProvider clock) : Grain, IBlockedIpsGrain
{
    public async Task SetAsync(BlockInfo block)
    {
        DropExpired();
        state.State.ByIp[block.Ip] = block;
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string ip)
    {
        if (state.State.ByIp.Remove(ip))
        {
            DropExpired();
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<BlockInfo>> ListAsync()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult<IReadOnlyList<BlockInfo>>(state.State.ByIp.Values
            .Where(b => b.ExpiresAt > now)
            .OrderByDescending(b => b.BlockedAt)
            .ToList());
    }

    private void DropExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var ip in state.State.ByIp.Where(p => p.Value.ExpiresAt <= now).Select(p => p.Key).ToList())
        {
            state.State.ByIp.Remove(ip);
        }
    }
}
