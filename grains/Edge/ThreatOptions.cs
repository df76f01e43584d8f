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

    /// <summary>IPs and CIDR ranges that are never blocked (monitoring, the office).</summary>
    public List<string> Allowlist { get; set; } = [];
}
