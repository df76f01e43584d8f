using Microsoft.Extensions.Options;

namespace Surveillance.Edge;

/// <summary>
/// Soft state only: rate windows, threats and failed logins live as long as the activation (collected
/// after <see cref="ThreatOptions.IdleClientSeconds"/> idle), so an address never seen before costs no
/// database read or write and a few hundred bytes at most. What must survive — blocks and how often the
/// client was blocked — is kept by <see cref="IBlockedIpsGrain"/>.
/// </summary>
public sealed class ClientIpGrain(
    IOptions<ThreatOptions> threatOptions,
    ThreatAllowlist allowlist,
    LoginPressure pressure,
    TimeProvider clock) : Grain, IClientIpGrain
{
    private readonly ThreatOptions _options = threatOptions.Value;
    private readonly Dictionary<string, (RateRule Rule, SlidingLog Log)> _windows = [];
    private readonly SlidingLog _threats = new();
    private readonly SlidingLog _failedLogins = new();
    private List<ThreatRecord>? _threatHistory;
    private BlockInfo? _block;
    private DateTimeOffset? _lastLoginSuccess;

    private string Ip => this.GetPrimaryKeyString();
    private TimeSpan ThreatWindow => TimeSpan.FromSeconds(_options.WindowSeconds);
    private IBlockedIpsGrain Blocks => GrainFactory.GetGrain<IBlockedIpsGrain>(0);

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
        _threatHistory ??= [];
        _threatHistory.Add(new ThreatRecord(eventName, now));
        _threatHistory.RemoveAll(t => t.At <= now - ThreatWindow);
        _threats.Add(now, 1);
        return _threats.Count(now, ThreatWindow) >= _options.MaxThreats
            ? await BlockForAsync(now, $"{_options.MaxThreats} threats within {_options.WindowSeconds} s (last: {eventName})")
            : ActiveBlock(now);
    }

    public async Task<BlockInfo?> RecordFailedLoginAsync()
    {
        var now = clock.GetUtcNow();
        pressure.RecordFailedLogin(now);
        _failedLogins.Add(now, 1);
        return _failedLogins.Count(now, ThreatWindow) >= _options.MaxFailedLogins
            ? await BlockForAsync(now, $"{_options.MaxFailedLogins} failed logins within {_options.WindowSeconds} s")
            : ActiveBlock(now);
    }

    public Task RecordLoginSuccessAsync()
    {
        _lastLoginSuccess = clock.GetUtcNow();
        return Task.CompletedTask;
    }

    public async Task<BlockInfo> BlockAsync(string reason, int durationSeconds) =>
        _block = await Blocks.BlockAsync(Ip, reason, durationSeconds, _threatHistory?.Count ?? 0);

    public async Task<bool> UnblockAsync()
    {
        _block = null;
        _threatHistory = null;
        _threats.Return(int.MaxValue);
        _failedLogins.Return(int.MaxValue);
        return await Blocks.RemoveAsync(Ip);
    }

    public async Task<IpStatus> GetStatusAsync()
    {
        var now = clock.GetUtcNow();
        var record = await Blocks.FindAsync(Ip);
        var windows = _windows.Values.Select(w =>
        {
            var window = TimeSpan.FromSeconds(w.Rule.WindowSeconds);
            return new RateWindow(w.Rule.Name, w.Rule.Limit, w.Rule.WindowSeconds, w.Log.Count(now, window), w.Log.ResetAt(now, window));
        }).ToList();
        return new IpStatus(
            Ip, _threatHistory?.Where(t => t.At > now - ThreatWindow).ToList() ?? [], _failedLogins.Count(now, ThreatWindow),
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

        return _block = await Blocks.BlockAsync(Ip, reason, null, _threatHistory?.Count ?? 0);
    }

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
