using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using Surveillance.Silo;

namespace Surveillance.Tests.Infrastructure;

/// <summary>
/// An in-process Orleans cluster whose grains keep their state in the real test PostgreSQL,
/// under this cluster's own ServiceId so that fixtures do not see each other's grains. A new
/// <see cref="TestCluster"/> with the same settings sees the state of an earlier one: that is
/// how the restart tests restart.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(InProcessTestCluster cluster, TestSettings settings)
    {
        Cluster = cluster;
        Settings = settings;
    }

    public InProcessTestCluster Cluster { get; }
    public TestSettings Settings { get; }
    public IClusterClient Client => Cluster.Client;

    // configureSilo, configureClient: test-only additions (grain call filters, storage decorators).
    public static async Task<TestCluster> StartAsync(TestSettings settings, short silos = 1,
        Action<ISiloBuilder>? configureSilo = null, Action<IClientBuilder>? configureClient = null)
    {
        await TestDatabase.EnsureSchemaAsync();
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ServiceId = settings.ServiceId;
        builder.Options.ClusterId = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        builder.ConfigureHost(host => host.Configuration.AddInMemoryCollection(settings.SiloConfiguration()));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSurveillance(silo.Configuration);
            configureSilo?.Invoke(silo);
        });
        if (configureClient is not null)
        {
            builder.ConfigureClient(configureClient);
        }

        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new TestCluster(cluster, settings);
    }

    /// <summary>A cluster a test built itself (e.g. with another host environment), disposed like the others.</summary>
    public static TestCluster Wrap(InProcessTestCluster cluster, TestSettings settings) => new(cluster, settings);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
        }
    }
}
