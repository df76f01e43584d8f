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
        builder.Services.AddOptions<ClusterConnectionOptions>()
            .Bind(builder.Configuration.GetSection(ClusterConnectionOptions.Section))
            .Validate(o => o.CallTimeoutSeconds is > 0 and <= 120 && o.ConnectTimeoutSeconds > 0 && o.IdempotentRetries is >= 0 and <= 5,
                "Cluster:CallTimeoutSeconds must be 1-120, Cluster:ConnectTimeoutSeconds positive, Cluster:IdempotentRetries 0-5.")
            .ValidateOnStart();

        var connectionString = OrleansConnectionString.Require(builder.Configuration);
        var pools = DatabasePoolOptions.From(builder.Configuration);
        builder.Services.AddDatabasePools(builder.Configuration);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(pools.ForApp(connectionString)));

        var cluster = builder.Configuration.GetSection(ClusterConnectionOptions.Section).Get<ClusterConnectionOptions>() ?? new();
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
