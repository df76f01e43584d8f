using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>
/// Behind a TLS-terminating proxy the API sees plain HTTP, and would never send HSTS. ASP.NET Core's
/// forwarded-headers support takes the scheme from <c>X-Forwarded-Proto</c> — only when the socket is
/// one of <c>RateLimiting:TrustedProxies</c> (its default trust of loopback is removed), so a client
/// cannot claim HTTPS. <c>X-Forwarded-For</c> is left to <see cref="ClientIpResolver"/>.
/// </summary>
public static class TrustedProxyHeaders
{
    public static IServiceCollection AddTrustedProxyHeaders(this IServiceCollection services)
    {
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>, FromRateLimitOptions>();
        return services;
    }

    private sealed class FromRateLimitOptions(IOptions<RateLimitOptions> rateLimits) : IConfigureOptions<ForwardedHeadersOptions>
    {
        public void Configure(ForwardedHeadersOptions options)
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in IpRanges.Parse(rateLimits.Value.TrustedProxies, "RateLimiting:TrustedProxies").Networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        }
    }
}
