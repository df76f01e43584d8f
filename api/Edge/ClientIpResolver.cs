using System.Net;
using Microsoft.Extensions.Options;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>
/// Who the client is: the socket address, or — only when the socket is a configured trusted
/// proxy — the right-most <c>X-Forwarded-For</c> entry that is not itself a trusted proxy
/// (ASVS 4.1.3: a client must not be able to choose its own IP). Only the right-most
/// <see cref="MaxForwardedEntries"/> entries are read: entries further left were written by the
/// client itself, so padding the header neither costs us work nor moves the answer to the proxy.
/// A malformed entry before the client's ends the walk at the socket address.
/// </summary>
public sealed class ClientIpResolver(IOptions<RateLimitOptions> options)
{
    public const int MaxForwardedEntries = 32;
    private readonly IpRanges _trusted = IpRanges.Parse(options.Value.TrustedProxies, "RateLimiting:TrustedProxies");
    private readonly int _ipv6PrefixLength = options.Value.Ipv6PrefixLength;

    /// <summary>What limits, threats and blocks are keyed by: the address, or an IPv6 client's prefix.</summary>
    public string KeyOf(IPAddress address) => ClientKeys.For(address, _ipv6PrefixLength);

    public IPAddress Resolve(HttpContext context)
    {
        var socket = context.Connection.RemoteIpAddress is { } remote ? IpRanges.Normalize(remote) : IPAddress.IPv6None;
        if (!_trusted.Contains(socket))
        {
            return socket;
        }

        var examined = 0;
        var headers = context.Request.Headers["X-Forwarded-For"];
        for (var h = headers.Count - 1; h >= 0; h--)
        {
            var value = (headers[h] ?? "").AsSpan();
            while (examined < MaxForwardedEntries)
            {
                var comma = value.LastIndexOf(',');
                var entry = value[(comma + 1)..].Trim();
                examined++;
                if (!IPAddress.TryParse(entry, out var hop))
                {
                    return socket; // a malformed chain proves nothing: fall back to what we saw
                }

                hop = IpRanges.Normalize(hop);
                if (!_trusted.Contains(hop))
                {
                    return hop;
                }

                if (comma < 0)
                {
                    break;
                }

                value = value[..comma];
            }
        }

        return socket;
    }
}
