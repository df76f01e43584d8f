using System.Net;
using Microsoft.Extensions.Options;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>
/// Who the client is: the socket address, or — only when the socket is a configured trusted
/// proxy — the right-most <c>X-Forwarded-For</c> entry that is not itself a trusted proxy
/// (ASVS 4.1.3: a client must not be able to choose its own IP). Malformed headers are ignored.
/// </summary>
public sealed class ClientIpResolver(IOptions<RateLimitOptions> options)
{
    private const int MaxForwardedEntries = 32;
    private readonly IpRanges _trusted = IpRanges.Parse(options.Value.TrustedProxies, "RateLimiting:TrustedProxies");

    public IPAddress Resolve(HttpContext context)
    {
        var socket = context.Connection.RemoteIpAddress is { } remote ? IpRanges.Normalize(remote) : IPAddress.IPv6None;
        if (!_trusted.Contains(socket))
        {
            return socket;
        }

        var entries = context.Request.Headers["X-Forwarded-For"]
            .SelectMany(h => (h ?? "").Split(','))
            .Select(e => e.Trim())
            .ToList();
        if (entries.Count is 0 or > MaxForwardedEntries)
        {
            return socket;
        }

        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(entries[i], out var hop))
            {
                return socket; // a malformed chain proves nothing: fall back to what we saw
            }

            hop = IpRanges.Normalize(hop);
            if (!_trusted.Contains(hop))
            {
                return hop;
            }
        }

        return socket;
    }
}
