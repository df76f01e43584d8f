using System.Net;
using System.Net.Sockets;

namespace Surveillance.Edge;

/// <summary>
/// What the edge counts and blocks: an IPv4 client by its address, an IPv6 client by its network
/// prefix (a /64 by default). One IPv6 subscriber or host is handed a whole /64 — 2^64 addresses —
/// so keying by address would give an attacker a fresh limit and a way around a block for free.
/// </summary>
public static class ClientKeys
{
    public const int DefaultIpv6PrefixLength = 64;

    /// <summary><c>203.0.113.7</c> → <c>203.0.113.7</c>; <c>2001:db8::1</c> → <c>2001:db8::/64</c>.</summary>
    public static string For(IPAddress address, int ipv6PrefixLength = DefaultIpv6PrefixLength)
    {
        var normalized = IpRanges.Normalize(address);
        if (normalized.AddressFamily != AddressFamily.InterNetworkV6 || ipv6PrefixLength >= 128)
        {
            return normalized.ToString();
        }

        var network = new IPNetwork(Mask(normalized, ipv6PrefixLength), ipv6PrefixLength);
        return network.ToString();
    }

    private static IPAddress Mask(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsKept = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsKept));
        }

        return new IPAddress(bytes);
    }
}
