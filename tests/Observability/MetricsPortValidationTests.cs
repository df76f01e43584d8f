using Microsoft.Extensions.Options;
using Surveillance.Hosting.Telemetry;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Observability;

/// <summary>
/// The scrape port is checked at start-up: a missing or shared port would either fail later or
/// put <c>/metrics</c> on a port the public reaches.
/// </summary>
[Collection(SharedObservabilityCluster.Name)]
public sealed class MetricsPortValidationTests(ObservabilityFixture fixture)
{
    private static readonly Dictionary<string, int> SiloPorts = new() { ["Orleans:SiloPort"] = 11111, ["Orleans:GatewayPort"] = 30000 };

    [Theory]
    [InlineData(-1, "127.0.0.1", "Metrics:Port must be set")]
    [InlineData(65536, "127.0.0.1", "Metrics:Port must be set")]
    [InlineData(9465, "pod-ip", "is not an IP address")]
    [InlineData(30000, "0.0.0.0", "also Orleans:GatewayPort")]
    public void BadScrapeSettings_AreRefused_WithTheKeyNamed(int port, string address, string expected)
    {
        var result = new MetricsOptionsValidator(SiloPorts).Validate(null, new MetricsOptions { Port = port, Address = address });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage);
    }

    [Fact]
    public void DisabledMetrics_NeedNoPort_AndAGoodPortPasses()
    {
        var validator = new MetricsOptionsValidator(SiloPorts);

        Assert.True(validator.Validate(null, new MetricsOptions { Enabled = false, Port = -1 }).Succeeded);
        Assert.True(validator.Validate(null, new MetricsOptions { Port = 9465, Address = "0.0.0.0" }).Succeeded);
    }

    [Fact]
    public async Task ScrapePortEqualToThePublicPort_StopsTheApiAtStartUp_InsteadOfPuttingMetricsOnThePublicPort()
    {
        var settings = new TestSettings
        {
            ServiceId = fixture.Cluster.Settings.ServiceId,
            Overrides =
            {
                ["urls"] = "http://127.0.0.1:28123",
                [$"{MetricsOptions.Section}:Enabled"] = "true",
                [$"{MetricsOptions.Section}:Port"] = "28123",
            },
        };
        // Wrapped only to hand the API other settings; the fixture owns and disposes the cluster.
        await using var api = new ApiHost(TestCluster.Wrap(fixture.Cluster.Cluster, settings));

        var refusal = Assert.Throws<OptionsValidationException>(() => api.CreateClient());

        Assert.Contains("Metrics:Port 28123 is also a public port (urls)", refusal.Message);
    }
}
