using Microsoft.Extensions.Options;

namespace Surveillance.Edge;

/// <summary>Intrusion-detection thresholds and blocks, section <c>Threats</c> (API.md).</summary>
public sealed class ThreatOptions
{
    public const string Section = "Threats";

    /// <summary>Threats within <see cref="WindowSeconds"/> that block the IP.</summary>
    public int MaxThreats { get; set; } = 5;

    public int WindowSeconds { get; set; } = 3600;

    /// <summary>Failed logins within <see cref="WindowSeconds"/> that block the IP.</summary>
    public int MaxFailedLogins { get; set; } = 20;

    /// <summary>First block; each repeat doubles it (fail2ban's bantime.increment) up to <see cref="MaxBlockSeconds"/>.</summary>
    public int BlockSeconds { get; set; } = 3600;

    public int MaxBlockSeconds { get; set; } = 86_400;

    /// <summary>
    /// Failed logins per minute across the cluster above which a login storm is on (credential
    /// stuffing from many addresses, each under its own limit).
    /// </summary>
    public int LoginStormFailuresPerMinute { get; set; } = 600;

    /// <summary>The login limit, per login-rule window, of a client without a recent successful login during a storm.</summary>
    public int StormLoginLimit { get; set; } = 3;

    /// <summary>How long a successful login exempts its client from the storm limit.</summary>
    public int KnownClientSeconds { get; set; } = 86_400;

    /// <summary>Idle time after which a client's grain (its soft state) is collected.</summary>
    public int IdleClientSeconds { get; set; } = 120;

    /// <summary>
    /// Client strikes (threats, failed logins) a silo stores per second (<see cref="StrikeStoreBudget"/>),
    /// so that an idle collection or a restart does not reset the counters that lead to a block.
    /// </summary>
    public int StoredStrikesPerSecond { get; set; } = 100;

    /// <summary>IPs and CIDR ranges that are never blocked (monitoring, the office).</summary>
    public List<string> Allowlist { get; set; } = [];
}

internal sealed class ThreatOptionsValidator : IValidateOptions<ThreatOptions>
{
    public ValidateOptionsResult Validate(string? name, ThreatOptions o)
    {
        var failures = new List<string>();
        if (!(o.MaxThreats > 0 && o.MaxFailedLogins > 0 && o.WindowSeconds > 0 && o.BlockSeconds > 0 && o.MaxBlockSeconds >= o.BlockSeconds))
        {
            failures.Add("Threats: MaxThreats, MaxFailedLogins, WindowSeconds and BlockSeconds must be positive, MaxBlockSeconds >= BlockSeconds.");
        }

        if (!(o.LoginStormFailuresPerMinute > 0 && o.StormLoginLimit > 0 && o.KnownClientSeconds > 0 && o.IdleClientSeconds > 0 && o.StoredStrikesPerSecond > 0))
        {
            failures.Add("Threats: LoginStormFailuresPerMinute, StormLoginLimit, KnownClientSeconds, IdleClientSeconds and StoredStrikesPerSecond must be positive.");
        }

        if (!IsValidAllowlist(o.Allowlist))
        {
            failures.Add("Threats:Allowlist holds an entry that is neither an IP nor a CIDR range.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsValidAllowlist(IEnumerable<string> allowlist)
    {
        try
        {
            IpRanges.Parse(allowlist, "Threats:Allowlist");
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
