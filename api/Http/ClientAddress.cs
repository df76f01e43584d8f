using System.Net;

namespace Surveillance.Api.Http;

/// <summary>The client IP the per-account and per-IP defences key on, as the edge resolved it.</summary>
public static class ClientAddress
{
    public static void Set(HttpContext context, IPAddress address)
    {
        var normalized = Normalize(address);
        context.Features.Set(new ClientAddressFeature { Address = normalized, Key = normalized });
    }

    /// <summary>The resolved client IP; the socket address when the edge has not run.</summary>
    public static string Of(HttpContext context) =>
        context.Features.Get<ClientAddressFeature>()?.Address ?? Normalize(context.Connection.RemoteIpAddress);

    /// <summary>What the edge counts and blocks (an IPv6 client's /64); the address when the edge has not run.</summary>
    public static string KeyOf(HttpContext context) => context.Features.Get<ClientAddressFeature>()?.Key ?? Of(context);

    public static void SetKey(HttpContext context, string key)
    {
        if (context.Features.Get<ClientAddressFeature>() is { } feature)
        {
            feature.Key = key;
        }
        else
        {
            context.Features.Set(new ClientAddressFeature { Address = Of(context), Key = key });
        }
    }

    public static string Normalize(IPAddress? address) => address switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } => address.MapToIPv4().ToString(),
        _ => address.ToString(),
    };

    /// <summary>The request's client as the edge resolved it: its address, and the key the edge counts it under.</summary>
    /// <remarks>One object per request, set once by the block guard: the edge's hot path allocates nothing more for it.</remarks>
    private sealed class ClientAddressFeature
    {
        public required string Address { get; init; }

        public required string Key { get; set; }
    }
}
