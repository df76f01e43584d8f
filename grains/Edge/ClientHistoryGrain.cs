namespace Surveillance.Edge;

/// <summary>
/// A client's threats and failed logins, stored. Each list keeps at most <see cref="MaxKept"/>
/// strikes: more than any block threshold needs, so a client striking for an hour cannot grow its row.
/// </summary>
public sealed class ClientHistoryGrain(
    [PersistentState("history", StorageNames.Main)] IPersistentState<ClientHistoryState> state,
    TimeProvider clock) : Grain, IClientHistoryGrain
{
    internal const int MaxKept = 256;

    public async Task<ClientStrikes> RecordAsync(ClientStrike strike, int windowSeconds)
    {
        var history = state.State;
        if (strike.ThreatEvent is { } threat)
        {
            history.Threats.Add(new ThreatRecord(threat, strike.At));
        }
        else
        {
            history.FailedLogins.Add(strike.At);
        }

        Prune(windowSeconds);
        await state.WriteStateAsync();
        return Snapshot();
    }

    public Task<ClientStrikes> GetAsync(int windowSeconds)
    {
        Prune(windowSeconds);
        return Task.FromResult(Snapshot());
    }

    public async Task ClearAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new ClientHistoryState();
    }

    private void Prune(int windowSeconds)
    {
        var since = clock.GetUtcNow().AddSeconds(-windowSeconds);
        var history = state.State;
        history.Threats.RemoveAll(t => t.At <= since);
        history.FailedLogins.RemoveAll(at => at <= since);
        TrimOldest(history.Threats);
        TrimOldest(history.FailedLogins);
    }

    private static void TrimOldest<T>(List<T> strikes)
    {
        if (strikes.Count > MaxKept)
        {
            strikes.RemoveRange(0, strikes.Count - MaxKept);
        }
    }

    private ClientStrikes Snapshot() => new([.. state.State.Threats], [.. state.State.FailedLogins]);
}
