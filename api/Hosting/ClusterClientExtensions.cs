using Npgsql;
using Orleans.Configuration;
using Surveillance.Hosting;

namespace Surveillance.Api.Hosting;

public static class ClusterClientExtensions
{
    public const string ConnectionStringName = OrleansConnectionString.Name;

    /// <summary>
    /// The Orleans client: it finds gateways through the same PostgreSQL membership table as the
    /// silos, gives every call a bounded timeout, retries idempotent calls a bounded number of
    /// times, and gives up connecting at start-up after a bounded wait.
    /// </summary>
    public static IHostApplicationBuilder AddClusterConnection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions(builder.Configuration, ClusterConnectionOptions.Section, ClusterConnectionOptionsValidator.Instance);

        var connectionString = OrleansConnectionString.Require(builder.Configuration);
        var pools = DatabasePoolOptions.From(builder.Configuration);
        builder.Services.AddDatabasePools(builder.Configuration);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(pools.ForApp(connectionString)));

        // Before the container exists: it decides whether to add an Orleans client at all, and with which timeouts.
        var cluster = StartupOptions.Read(builder.Configuration, ClusterConnectionOptions.Section, ClusterConnectionOptionsValidator.Instance);
        if (cluster.ExternalClient)
        {
            return builder;
        }

        builder.UseOrleansClient(client =>
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = pools.ForOrleans(connectionString);
            });
            client.UseClusterTls(builder.Configuration);
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(cluster.CallTimeoutSeconds));
            client.AddOutgoingGrainCallFilter<IdempotentCallRetryFilter>();
            client.AddActivityPropagation();
            var deadline = DateTimeOffset.UtcNow.AddSeconds(cluster.ConnectTimeoutSeconds);
            client.UseConnectionRetryFilter(async (_, cancellationToken) =>
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return true;
            });
        });
        return builder;
    }
}
