using System.Net;

namespace Surveillance.Api.Http;

/// <summary>The client IP the per-account and per-IP defences key on.</summary>
public static class ClientAddress
{
    /// <summary>The socket address, with IPv4-mapped IPv6 written as IPv4.</summary>
    public static string Of(HttpContext context) => Normalize(context.Connection.RemoteIpAddress);

    public static string Normalize(IPAddress? address) => address switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        _ => address.ToString(),
    };
}
