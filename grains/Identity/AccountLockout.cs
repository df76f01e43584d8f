namespace Surveillance.Identity;

/// <summary>
/// Failed-login bookkeeping of one account. After <see cref="LockoutOptions.Threshold"/>
/// consecutive failures the account refuses logins for a while, doubling on each repeat
/// (ASVS 6.1.1, credential stuffing from many IPs) — except from IPs that logged in successfully
/// recently, so an attacker cannot lock the owner out (ASVS 6.3.1).
/// </summary>
[GenerateSerializer, Alias("surveillance.AccountLockout")]
public sealed class AccountLockout
{
    [Id(0)] public int ConsecutiveFailures { get; set; }
    [Id(1)] public DateTimeOffset? LockedUntil { get; set; }
    [Id(2)] public int Lockouts { get; set; }
    [Id(3)] public Dictionary<string, DateTimeOffset> KnownIps { get; set; } = [];

    /// <summary>How many recent IPs are remembered; the oldest are dropped first.</summary>
    private const int MaxKnownIps = 32;

    public bool RefusesLoginFrom(string clientIp, DateTimeOffset now, LockoutOptions options) =>
        LockedUntil > now && !IsKnownIp(clientIp, now, options);

    public void RecordFailure(DateTimeOffset now, LockoutOptions options)
    {
        ConsecutiveFailures++;
        if (ConsecutiveFailures < options.Threshold || LockedUntil > now)
        {
            return;
        }

        var seconds = Math.Min((double)options.LockoutSeconds * Math.Pow(2, Lockouts), options.MaxLockoutSeconds);
        LockedUntil = now.AddSeconds(seconds);
        Lockouts++;
        ConsecutiveFailures = 0;
    }

    public void RecordSuccess(string clientIp, DateTimeOffset now, LockoutOptions options)
    {
        ConsecutiveFailures = 0;
        LockedUntil = null;
        Lockouts = 0;
        KnownIps[clientIp] = now;
        foreach (var stale in KnownIps.Where(p => !IsRecent(p.Value, now, options)).Select(p => p.Key).ToList())
        {
            KnownIps.Remove(stale);
        }

        foreach (var oldest in KnownIps.OrderByDescending(p => p.Value).Skip(MaxKnownIps).Select(p => p.Key).ToList())
        {
            KnownIps.Remove(oldest);
        }
    }

    private bool IsKnownIp(string clientIp, DateTimeOffset now, LockoutOptions options) =>
        KnownIps.TryGetValue(clientIp, out var lastSuccess) && IsRecent(lastSuccess, now, options);

    private static bool IsRecent(DateTimeOffset when, DateTimeOffset now, LockoutOptions options) =>
        now - when < TimeSpan.FromDays(options.KnownIpDays);
}
