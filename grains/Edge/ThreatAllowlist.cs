using System.Net;
using Microsoft.Extensions.Options;

namespace Surveillance.Edge;

/// <summary><c>Threats:Allowlist</c>, parsed once: IPs and ranges that are never blocked.</summary>
public sealed class ThreatAllowlist(IOptions<ThreatOptions> options)
{
    private readonly IpRanges _ranges = IpRanges.Parse(options.Value.Allowlist, "Threats:Allowlist");

    /// <summary>A client key is an address or, for IPv6, a prefix (<c>2001:db8::/64</c>): its first address decides.</summary>
    public bool Contains(string clientKey) =>
        clientKey.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(clientKey, out var network)
            ? _ranges.Contains(network.BaseAddress)
            : _ranges.Contains(clientKey);
}
