using System.Net;

namespace Surveillance.Edge;

/// <summary>A list of IPs and CIDR ranges from configuration (trusted proxies, the allowlist).</summary>
public sealed class IpRanges
{
    private readonly IReadOnlyList<IPNetwork> _networks;

    private IpRanges(IReadOnlyList<IPNetwork> networks) => _networks = networks;

    public static IpRanges Empty { get; } = new([]);

    public IReadOnlyList<IPNetwork> Networks => _networks;

    /// <summary>Parses <c>203.0.113.7</c>, <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>; throws on anything else.</summary>
    public static IpRanges Parse(IEnumerable<string> entries, string settingName) => new(entries
        .Where(e => !string.IsNullOrWhiteSpace(e))
        .Select(e => e.Trim())
        .Select(e => IPNetwork.TryParse(e, out var network) ? network
            : IPAddress.TryParse(e, out var address) ? new IPNetwork(Normalize(address), address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6 ? 32 : 128)
            : throw new FormatException($"{settingName}: '{e}' is neither an IP address nor a CIDR range."))
        .ToList());

    public bool Contains(IPAddress address)
    {
        var normalized = Normalize(address);
        return _networks.Any(n => n.Contains(normalized));
    }

    public bool Contains(string address) => IPAddress.TryParse(address, out var parsed) && Contains(parsed);

    /// <summary>IPv4-mapped IPv6 (<c>::ffff:1.2.3.4</c>) is written as the IPv4 address it is.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
