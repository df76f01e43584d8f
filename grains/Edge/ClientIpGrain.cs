using Microsoft.Extensions.Options;

namespace Surveillance.Edge;

public sealed class ClientIpGrain(
    [PersistentState("client-ip", StorageNames.Main)] IPersistentState<ClientIpState> state,
    IOptions<ThreatOptions> threatOptions,
    ThreatAllowlist allowlist,
    TimeProvider clock) : Grain, IClientIpGrain, IRemindable
{
    private const string ExpiryReminder = "block-expiry";
    private readonly ThreatOptions _options = threatOptions.Value;
    private readonly Dictionary<string, SlidingLog> _windows = [];
    private readonly Dictionary<string, RateRule> _rules = [];
    private readonly SlidingLog _threats = new();
    private readonly SlidingLog _failedLogins = new();
    private readonly List<ThreatRecord> _threatHistory = [];

    private string Ip => this.GetPrimaryKeyString();
    private TimeSpan ThreatWindow => TimeSpan.FromSeconds(_options.WindowSeconds);

    public Task<Admission> AdmitAsync(RateRule rule, int wanted, int returned)
    {
        var now = clock.GetUtcNow();
        var window = TimeSpan.FromSeconds(rule.WindowSeconds);
        var log = Window(rule);
        log.Return(returned);
        if (ActiveBlock(now) is { } block)
        {
            return Task.FromResult(new Admission(0, rule.Limit, 0, block.ExpiresAt, block));
        }

        var used = log.Count(now, window);
        var granted = Math.Clamp(rule.Limit - used, 0, Math.Max(1, wanted));
        log.Add(now, granted);
        return Task.FromResult(new Admission(
            granted, rule.Limit, Math.Max(0, rule.Limit - used - granted), log.ResetAt(now, window), null));
    }

    public async Task<BlockInfo?> RecordThreatAsync(string eventName)
    {
        var now = clock.GetUtcNow();
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
        _failedLogins.Add(now, 1);
        return _failedLogins.Count(now, ThreatWindow) >= _options.MaxFailedLogins
            ? await BlockForAsync(now, $"{_options.MaxFailedLogins} failed logins within {_options.WindowSeconds} s")
            : ActiveBlock(now);
    }

    public async Task<BlockInfo> BlockAsync(string reason, int durationSeconds)
    {
        var now = clock.GetUtcNow();
        return await SetBlockAsync(new BlockInfo(Ip, reason, now, now.AddSeconds(durationSeconds), _threatHistory.Count));
    }

    public async Task<bool> UnblockAsync()
    {
        var wasBlocked = ActiveBlock(clock.GetUtcNow()) is not null;
        _threatHistory.Clear();
        _threats.Return(int.MaxValue);
        _failedLogins.Return(int.MaxValue);
        state.State = new ClientIpState();
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IBlockedIpsGrain>(0).RemoveAsync(Ip);
        return wasBlocked;
    }

    public Task<IpStatus> GetStatusAsync()
    {
        var now = clock.GetUtcNow();
        var windows = _rules.Values.Select(rule =>
        {
            var window = TimeSpan.FromSeconds(rule.WindowSeconds);
            var log = Window(rule);
            return new RateWindow(rule.Name, rule.Limit, rule.WindowSeconds, log.Count(now, window), log.ResetAt(now, window));
        }).ToList();
        return Task.FromResult(new IpStatus(
            Ip, _threatHistory.Where(t => t.At > now - ThreatWindow).ToList(), _failedLogins.Count(now, ThreatWindow),
            windows, ActiveBlock(now), state.State.BlockCount, allowlist.Contains(Ip)));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Bans expire on their own: the reminder tidies the state and the blocked-IP list even
        // when no request from this IP ever arrives again.
        if (state.State.Block is { } block && block.ExpiresAt <= clock.GetUtcNow())
        {
            state.State.Block = null;
            await state.WriteStateAsync();
            await GrainFactory.GetGrain<IBlockedIpsGrain>(0).RemoveAsync(Ip);
        }

        if (state.State.Block is null && await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

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

        var seconds = Math.Min((double)_options.BlockSeconds * Math.Pow(2, state.State.BlockCount), _options.MaxBlockSeconds);
        state.State.BlockCount++;
        return await SetBlockAsync(new BlockInfo(Ip, reason, now, now.AddSeconds(seconds), _threatHistory.Count));
    }

    private async Task<BlockInfo> SetBlockAsync(BlockInfo block)
    {
        state.State.Block = block;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IBlockedIpsGrain>(0).SetAsync(block);
        var due = block.ExpiresAt - clock.GetUtcNow();
        await this.RegisterOrUpdateReminder(ExpiryReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, TimeSpan.FromMinutes(1));
        return block;
    }

    private BlockInfo? ActiveBlock(DateTimeOffset now) =>
        state.State.Block is { } block && block.ExpiresAt > now ? block : null;

    private SlidingLog Window(RateRule rule)
    {
        _rules[rule.Name] = rule;
        if (!_windows.TryGetValue(rule.Name, out var log))
        {
            _windows[rule.Name] = log = new SlidingLog();
        }

        return log;
    }
}
