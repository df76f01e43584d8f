using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Surveillance.Hosting.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint on a Kestrel listener of its own, separate from the host's
/// public one. A second server rather than a second endpoint of the public one because: an
/// endpoint bound in code replaces the host's configured URLs (ASPNETCORE_URLS), and
/// <c>RequireHost</c> matches the client-supplied Host header, so a client could reach
/// <c>/metrics</c> through the public port by naming the scrape port. Here the public pipeline never
/// sees <c>/metrics</c> at all, and this one answers nothing else (404), not even the public routes.
/// Works the same in a silo (a generic host) and in the API.
/// </summary>
public sealed class MetricsEndpoint(IOptions<MetricsOptions> options, MeterProvider meterProvider) : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    /// <summary>Where the endpoint listens, once started (e.g. <c>http://127.0.0.1:9464/metrics</c>).</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        settings.TryGetAddress(out var address);
        // An empty builder: no configuration sources, so nothing meant for the public host
        // (ASPNETCORE_URLS, Kestrel:Endpoints, certificates) applies to this listener.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, settings.Port);
        });
        var server = builder.Build();
        server.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, predicate: null, path: MetricsOptions.Path,
            configureBranchedPipeline: null, optionsName: null);
        server.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await server.StartAsync(cancellationToken);
        _server = server;
        var bound = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(new Uri(bound.Replace("[::]", "[::1]", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)), MetricsOptions.Path);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
