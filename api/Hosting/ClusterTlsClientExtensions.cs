using Orleans.Configuration;
using Surveillance.Hosting.ClusterTls;

namespace Surveillance.Api.Hosting;

public static class ClusterTlsClientExtensions
{
    /// <summary>
    /// Mutual TLS to the gateways with this node's <c>api</c> certificate; a gateway is trusted
    /// only with a <c>silo</c> certificate of the cluster CA. The same hook as <c>UseTls</c> of
    /// Microsoft.Orleans.Connections.Security, but fed from DI after
    /// <see cref="ClusterTlsOptions"/> passed validation, with certificates re-read on renewal.
    /// </summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, IConfiguration configuration)
    {
        client.Services.AddClusterTls(configuration, ClusterRole.Api);
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
