using Orleans.Configuration;
using Surveillance.Hosting.ClusterTls;

namespace Surveillance.Silo;

public static class ClusterTlsSiloExtensions
{
    /// <summary>
    /// Mutual TLS on the silo's three links. This is what <c>UseTls</c> of
    /// Microsoft.Orleans.Connections.Security wires, with one difference that needs the lower-level
    /// hooks: <c>UseTls</c> gives all three links one certificate check, but the silo port must
    /// refuse an API certificate (an API node may not join as a silo) while the gateway admits it.
    /// The settings are made from DI, after <see cref="ClusterTlsOptions"/> passed validation.
    /// </summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddClusterTls(configuration, ClusterRole.Silo);
        silo.Services.AddOptions<SiloConnectionOptions>().Configure<ClusterTlsLinks>((connections, links) =>
        {
            if (!links.Enabled)
            {
                return;
            }

            connections.ConfigureSiloInboundConnection(c => c.UseServerTls(links.Listener("silo port", [ClusterRole.Silo])));
            connections.ConfigureGatewayInboundConnection(c => c.UseServerTls(links.Listener("gateway", [ClusterRole.Silo, ClusterRole.Api])));
            connections.ConfigureSiloOutboundConnection(c => c.UseClientTls(links.Outbound("silo port")));
        });
        return silo;
    }

    /// <summary>
    /// The silo's own tools (e.g. <c>reset-admin-password</c>) join as a client with the node's
    /// <c>silo</c> certificate: the gateway admits it, and without it the tool could call no grain.
    /// </summary>
    public static IClientBuilder UseClusterTlsWithSiloCertificate(this IClientBuilder client, IConfiguration configuration)
    {
        client.Services.AddClusterTls(configuration, ClusterRole.Silo);
        client.Services.AddOptions<ClientConnectionOptions>().Configure<ClusterTlsLinks>((connections, links) =>
        {
            if (links.Enabled)
            {
                connections.ConfigureConnection(c => c.UseClientTls(links.Outbound("gateway")));
            }
        });
        return client;
    }
}
