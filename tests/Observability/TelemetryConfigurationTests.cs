using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Surveillance.Hosting.Telemetry;
using Surveillance.Telemetry;

namespace Surveillance.Tests.Observability;

/// <summary>README "Observability": traces leave the process only when an OTLP endpoint is configured.</summary>
public sealed class TelemetryConfigurationTests
{
    [Fact]
    public void WithoutAnOtlpEndpoint_NoTracesAreExported_AndWithoutScrapingNoMetricsPipelineRuns()
    {
        using var services = Build(new() { ["Metrics:Enabled"] = "false" });

        Assert.Null(services.GetService<TracerProvider>());
        Assert.Null(services.GetService<MeterProvider>());
        Assert.NotNull(services.GetService<SurveillanceMetrics>());
    }

    [Theory]
    [InlineData(TelemetryHostingExtensions.StandardOtlpEndpointKey)]
    [InlineData(TelemetryHostingExtensions.OtlpEndpointKey)]
    public void AnOtlpEndpoint_TurnsTracingOn(string key)
    {
        using var services = Build(new() { ["Metrics:Enabled"] = "false", [key] = "http://127.0.0.1:4317" });

        Assert.NotNull(services.GetService<TracerProvider>());
        Assert.NotNull(services.GetService<MeterProvider>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddMetrics();
        services.AddSurveillanceTelemetry(configuration, "surveillance-test", new Dictionary<string, int>());
        return services.BuildServiceProvider();
    }
}
