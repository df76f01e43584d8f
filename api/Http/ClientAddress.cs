using System.Net;

namespace Surveillance.Api.Http;

/// <summary>The client IP the per-account and per-IP defences key on, as the edge resolved it.</summary>
public static class ClientAddress
{
    private const string ItemKey = "surveillance.client_ip";
    private const string EdgeKeyItem = "surveillance.client_key";

    public static void Set(HttpContext context, IPAddress address) => context.Items[ItemKey] = Normalize(address);

    /// <summary>The resolved client IP; the socket address when the edge has not run.</summary>
    public static string Of(HttpContext context) =>
        context.Items[ItemKey] as string ?? Normalize(context.Connection.RemoteIpAddress);

    /// <summary>What the edge counts and blocks (an IPv6 client's /64); the address when the edge has not run.</summary>
    public static string KeyOf(HttpContext context) => context.Items[EdgeKeyItem] as string ?? Of(context);

    public static void SetKey(HttpContext context, string key) => context.Items[EdgeKeyItem] = key;

    public static string Normalize(IPAddress? address) => address switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        _ => address.ToString(),
    };
}
