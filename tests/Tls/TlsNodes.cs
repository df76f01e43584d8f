using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Surveillance.Api.Hosting;
using Surveillance.Silo;

namespace Surveillance.Tests.Tls;

/// <summary>
/// Silos and clients on real TCP sockets on loopback (Orleans' socket transport, not the test
/// cluster's in-memory one), so every link goes through the TLS handshake. Membership is
/// Orleans' development clustering (the first silo holds the table): these tests are about the
/// links, and it keeps PostgreSQL out of them.
/// </summary>
public sealed class TlsNodes : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    public string ServiceId { get; } = "tls-" + Guid.NewGuid().ToString("N")[..8];

    public string ClusterId { get; } = "tls-" + Guid.NewGuid().ToString("N")[..8];

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A silo wired as the real one (<see cref="ClusterTlsSiloExtensions.UseClusterTls"/>), in
    /// Production unless told otherwise. <paramref name="primary"/> is the silo port of the silo
    /// holding the membership table (null: this one).
    /// </summary>
    public async Task<(IHost Host, int SiloPort, int GatewayPort)> StartSiloAsync(
        NodeCertificate? node,
        int? primary = null,
        CapturedLogs? logs = null,
        Action<ISiloBuilder>? tlsOverride = null,
        string environment = "Production",
        Dictionary<string, string?>? settings = null)
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(node?.Configuration() ?? []);
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.UseOrleans(silo =>
        {
            var primaryEndpoint = new IPEndPoint(IPAddress.Loopback, primary ?? siloPort);
            silo.UseLocalhostClustering(siloPort, gatewayPort, primaryEndpoint, ServiceId, ClusterId);
            // Membership probes fast enough that a silo which cannot reach the others gives up in seconds.
            silo.Configure<ClusterMembershipOptions>(o => o.MaxJoinAttemptTime = TimeSpan.FromSeconds(10));
            if (tlsOverride is null)
            {
                silo.UseClusterTls(builder.Configuration);
            }
            else
            {
                tlsOverride(silo);
            }
        });
        var host = builder.Build();
        _hosts.Add(host);
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (host, siloPort, gatewayPort);
    }

    /// <summary>
    /// An Orleans client of this cluster's gateway. <paramref name="tls"/> configures its TLS (the
    /// real API's wiring, an attacker's own, or none); it gives up at the first failed connection.
    /// </summary>
    public IHost Client(int gatewayPort, Dictionary<string, string?> configuration, Action<IClientBuilder, IConfiguration>? tls)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(gatewayPort, ServiceId, ClusterId);
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            tls?.Invoke(client, builder.Configuration);
        });
        var host = builder.Build();
        _hosts.Add(host);
        return host;
    }

    /// <summary>The API's own client wiring with <paramref name="node"/>.</summary>
    public IHost ApiClient(int gatewayPort, NodeCertificate node) =>
        Client(gatewayPort, node.Configuration(), (client, configuration) => client.UseClusterTls(configuration));

    /// <summary>The silos this client sees as active, through a grain call (the management grain).</summary>
    public static async Task<int> ActiveSilosAsync(IHost client) =>
        (await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)
            .WaitAsync(TimeSpan.FromSeconds(20))).Count;

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            try
            {
                await host.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (Exception)
            {
                // A host that never started (a refused client) may fail to stop; it is disposed anyway.
            }

            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }
}
