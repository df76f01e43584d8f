using Microsoft.Extensions.DependencyInjection;
using Surveillance.Hosting.Telemetry;
using Surveillance.Silo;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Videos;

namespace Surveillance.Tests.Observability;

/// <summary>
/// A cluster and an API with their scrape endpoints on: the API's through its own wiring, the
/// silo's through the same <see cref="SiloTelemetry.AddSiloTelemetry"/> the silo process calls.
/// Port 0: each endpoint takes a free port, read back from its <see cref="MetricsEndpoint"/>.
/// </summary>
public sealed class ObservabilityFixture : VideosFixture
{
    protected override TestSettings CreateSettings() => new()
    {
        Overrides =
        {
            [$"{MetricsOptions.Section}:Enabled"] = "true",
            [$"{MetricsOptions.Section}:Port"] = "0",
        },
    };

    protected override void ConfigureSilo(ISiloBuilder silo) =>
        silo.Services.AddSiloTelemetry(silo.Configuration, new SiloHostOptions());

    public Uri ApiScrapeEndpoint => Api.Services.GetRequiredService<MetricsEndpoint>().Address!;

    public Uri SiloScrapeEndpoint =>
        Cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<MetricsEndpoint>().Address!;
}

[CollectionDefinition(Name)]
public sealed class SharedObservabilityCluster : ICollectionFixture<ObservabilityFixture>
{
    public const string Name = "Observability";
}
