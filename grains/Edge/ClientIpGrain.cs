using Microsoft.Extensions.Options;

namespace Surveillance.Edge;

/// <summary>
/// Rate windows are soft state: they live as long as the activation (collected after
/// <see cref="ThreatOptions.IdleClientSeconds"/> idle), so an address never seen before costs no
/// database read or write and a few hundred bytes at most. Strikes — threats and failed logins —
/// are also stored by the client's <see cref="IClientHistoryGrain"/> (within the silo's
/// <see cref="StrikeStoreBudget"/>), so waiting out an idle collection or a restart does not reset
/// the counts that lead to a block. Blocks and how often the client was blocked are kept by
/// <see cref="IBlockedIpsGrain"/>.
/// </summary>
public sealed class ClientIpGrain(
    IOptions<ThreatOptions> threatOptions,
    ThreatAllowlist allowlist,
    LoginPressure pressure,
    StrikeStoreBudget strikeStore,
    TimeProvider clock) : Grain, IClientIpGrain
{
    private readonly ThreatOptions _options = threatOptions.Value;
    private readonly Dictionary<string, (RateRule Rule, SlidingLog Log)> _windows = [];
    private ClientStrikes _strikes = ClientStrikes.None;
    private BlockInfo? _block;
    private DateTimeOffset? _lastLoginSuccess;

    private string Ip => this.GetPrimaryKeyString();
    private TimeSpan ThreatWindow => TimeSpan.FromSeconds(_options.WindowSeconds);
    private IBlockedIpsGrain Blocks => GrainFactory.GetGrain<IBlockedIpsGrain>(0);
    private IClientHistoryGrain History => GrainFactory.GetGrain<IClientHistoryGrain>(Ip);

    public Task<Admission> AdmitAsync(RateRule rule, int wanted, int returned, int reserved)
    {
        var now = clock.GetUtcNow();
        var window = TimeSpan.FromSeconds(rule.WindowSeconds);
        var log = Window(rule);
        log.Return(returned);
        if (ActiveBlock(now) is { } block)
        {
            return Task.FromResult(new Admission(0, rule.Limit, 0, block.ExpiresAt, block));
        }

        var limit = LimitNow(rule, now);
        var used = log.Count(now, window);
        var granted = Math.Clamp(limit - reserved - used, 0, Math.Max(1, wanted));
        log.Add(now, granted);
        return Task.FromResult(new Admission(
            granted, limit, Math.Max(0, limit - reserved - used - granted), log.ResetAt(now, window), null));
    }

    public async Task<BlockInfo?> RecordThreatAsync(string eventName)
    {
        var now = clock.GetUtcNow();
        await StrikeAsync(new ClientStrike(eventName, now));
        return Recent(_strikes.Threats.Select(t => t.At), now) >= _options.MaxThreats
            ? await BlockForAsync(now, $"{_options.MaxThreats} threats within {_options.WindowSeconds} s (last: {eventName})")
            : ActiveBlock(now);
    }

    public async Task<BlockInfo?> RecordFailedLoginAsync()
    {
        var now = clock.GetUtcNow();
        pressure.RecordFailedLogin(now);
        await StrikeAsync(new ClientStrike(null, now));
        return Recent(_strikes.FailedLogins, now) >= _options.MaxFailedLogins
            ? await BlockForAsync(now, $"{_options.MaxFailedLogins} failed logins within {_options.WindowSeconds} s")
            : ActiveBlock(now);
    }

    public Task RecordLoginSuccessAsync()
    {
        _lastLoginSuccess = clock.GetUtcNow();
        return Task.CompletedTask;
    }

    public async Task<BlockInfo> BlockAsync(string reason, int durationSeconds) =>
        _block = await Blocks.BlockAsync(Ip, reason, durationSeconds, RecentThreats(clock.GetUtcNow()).Count);

    public async Task<bool> UnblockAsync()
    {
        _block = null;
        _strikes = ClientStrikes.None;
        await History.ClearAsync();
        return await Blocks.RemoveAsync(Ip);
    }

    public async Task<IpStatus> GetStatusAsync()
    {
        var now = clock.GetUtcNow();
        var record = await Blocks.FindAsync(Ip);
        // An administrator's question may read the stored history (one read): the counts shown then
        // include what happened before this activation.
        var strikes = Merge(_strikes, await History.GetAsync(_options.WindowSeconds));
        var windows = _windows.Values.Select(w =>
        {
            var window = TimeSpan.FromSeconds(w.Rule.WindowSeconds);
            return new RateWindow(w.Rule.Name, w.Rule.Limit, w.Rule.WindowSeconds, w.Log.Count(now, window), w.Log.ResetAt(now, window));
        }).ToList();
        return new IpStatus(
            Ip, strikes.Threats.Where(t => t.At > now - ThreatWindow).ToList(), Recent(strikes.FailedLogins, now),
            windows, record.Block, record.BlockCount, allowlist.Contains(Ip));
    }

    /// <summary>During a cluster-wide login storm a client without a recent successful login gets the stricter login limit.</summary>
    private int LimitNow(RateRule rule, DateTimeOffset now) =>
        rule.Name == "login" && pressure.IsStorm && !(_lastLoginSuccess > now.AddSeconds(-_options.KnownClientSeconds))
            ? Math.Min(rule.Limit, _options.StormLoginLimit)
            : rule.Limit;

    private async Task<BlockInfo?> BlockForAsync(DateTimeOffset now, string reason)
    {
        if (ActiveBlock(now) is { } existing)
        {
            return existing;
        }

        if (allowlist.Contains(Ip))
        {
            return null;
        }

        return _block = await Blocks.BlockAsync(Ip, reason, null, RecentThreats(now).Count);
    }

    /// <summary>
    /// Stores the strike within the silo's budget, and takes the stored history as this activation's
    /// (the first strike after an idle collection or a restart brings back the earlier ones); past the
    /// budget the strike counts in memory only.
    /// </summary>
    private async Task StrikeAsync(ClientStrike strike)
    {
        var strikes = strikeStore.TryTake()
            ? Merge(_strikes, await History.RecordAsync(strike, _options.WindowSeconds))
            : strike.ThreatEvent is { } threat
                ? _strikes with { Threats = [.. _strikes.Threats, new ThreatRecord(threat, strike.At)] }
                : _strikes with { FailedLogins = [.. _strikes.FailedLogins, strike.At] };
        var since = strike.At - ThreatWindow;
        _strikes = new(
            [.. strikes.Threats.Where(t => t.At > since).TakeLast(ClientHistoryGrain.MaxKept)],
            [.. strikes.FailedLogins.Where(at => at > since).TakeLast(ClientHistoryGrain.MaxKept)]);
    }

    /// <summary>
    /// The stored history with the strikes only this activation counted (those the budget did not
    /// store): a strike is the same in both when its kind and instant are.
    /// </summary>
    private static ClientStrikes Merge(ClientStrikes local, ClientStrikes stored) => new(
        [.. stored.Threats.Union(local.Threats).OrderBy(t => t.At)],
        [.. stored.FailedLogins.Union(local.FailedLogins).Order()]);

    private int Recent(IEnumerable<DateTimeOffset> strikes, DateTimeOffset now) => strikes.Count(at => at > now - ThreatWindow);

    private List<ThreatRecord> RecentThreats(DateTimeOffset now) => [.. _strikes.Threats.Where(t => t.At > now - ThreatWindow)];

    private BlockInfo? ActiveBlock(DateTimeOffset now) => _block is { } block && block.ExpiresAt > now ? block : null;

    private SlidingLog Window(RateRule rule)
    {
        if (!_windows.TryGetValue(rule.Name, out var entry))
        {
            entry = (rule, new SlidingLog());
        }

        _windows[rule.Name] = (rule, entry.Log);
        return entry.Log;
    }
}
