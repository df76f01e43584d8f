using Microsoft.Extensions.Options;

namespace Surveillance.Edge;

/// <summary><c>Threats:Allowlist</c>, parsed once: IPs and ranges that are never blocked.</summary>
public sealed class ThreatAllowlist(IOptions<ThreatOptions> options)
{
    private readonly IpRanges _ranges = IpRanges.Parse(options.Value.Allowlist, "Threats:Allowlist");

    public bool Contains(string ip) => _ranges.Contains(ip);
}
