using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Surveillance.Api.Hosting.Https;

/// <summary>
/// TLS at the API (README "HTTPS at the API"): Kestrel serves every https:// URL with
/// <see cref="ApiServerCertificates"/>, <see cref="ModernTls"/> and HTTP/2, and plain HTTP is off
/// or redirected. HSTS needs nothing here: <c>SecurityHeadersMiddleware</c> sends it on every
/// request that is HTTPS, whether Kestrel terminated the TLS or a trusted proxy did.
/// </summary>
public static class ApiHttpsExtensions
{
    public static WebApplicationBuilder AddApiHttps(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiHttpsOptions>().Bind(builder.Configuration.GetSection(ApiHttpsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiHttpsOptions>, ApiHttpsOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiServerCertificates>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelHttpsSetup>();

        var httpsUrls = ApiListeners.From(builder.Configuration).Https;
        var https = httpsUrls.Count > 0 ? httpsUrls[0] : null;
        services.AddHttpsRedirection(o =>
        {
            // 308 keeps the method and body; a dynamic port (0) is found from the server's addresses.
            o.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
            o.HttpsPort = https is { Port: > 0 } ? https.Port : null;
        });
        return builder;
    }

    /// <summary>Redirects plain-HTTP requests when <c>Https:PlainHttp=Redirect</c>; after the forwarded headers, so that a trusted proxy's HTTPS counts.</summary>
    public static WebApplication UseApiHttps(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ApiHttpsOptions>>().Value;
        if (options.Enabled && options.PlainHttp == PlainHttp.Redirect)
        {
            app.UseHttpsRedirection();
        }

        return app;
    }

    private sealed class KestrelHttpsSetup(IOptions<ApiHttpsOptions> options, IServiceProvider services) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            if (!options.Value.Enabled)
            {
                return;
            }

            var certificates = services.GetRequiredService<ApiServerCertificates>();
            kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http1AndHttp2);
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.SslProtocols = ModernTls.Protocols;
                // Kestrel insists on a certificate or a selector to accept the endpoint...
                https.ServerCertificateSelector = (_, _) => certificates.Current.Certificate;
                https.OnAuthenticate = (_, ssl) =>
                {
                    // ...but a bare certificate would go out without its intermediates: the
                    // context of the current files carries the chain, and wins over both.
                    ssl.ServerCertificateSelectionCallback = null;
                    ssl.ServerCertificate = null;
                    ssl.ServerCertificateContext = certificates.Current.Context;
                    ssl.CipherSuitesPolicy = ModernTls.CipherSuites;
                };
            });
        }
    }
}
