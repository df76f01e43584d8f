using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Surveillance.Telemetry;

namespace Surveillance.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for a silo or an API: metrics (ours, Orleans', ASP.NET Core's, the runtime's and
/// Npgsql's) on the Prometheus scrape endpoint of <see cref="MetricsOptions"/>, and traces exported
/// over OTLP when an endpoint is configured. Console logs stay the host's: JSON when
/// <c>Logging:Console:FormatterName</c> is <c>json</c> (README "Observability").
/// </summary>
public static class TelemetryHostingExtensions
{
    /// <summary>The standard variable; <see cref="OtlpEndpointKey"/> is the same setting in our configuration.</summary>
    public const string StandardOtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string OtlpEndpointKey = "Telemetry:OtlpEndpoint";

    /// <summary>Orleans' meter (activations, grain calls, membership, storage and its errors).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Npgsql's own meter and activity source (commands, failures, pool use).</summary>
    public const string NpgsqlSource = "Npgsql";

    /// <summary>Orleans' spans: grain calls from the runtime and from application code.</summary>
    public static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>
    /// Registers <see cref="SurveillanceMetrics"/> and, when enabled, the exporters; <paramref name="serviceName"/> is the
    /// <c>service.name</c> of this process's telemetry (e.g. <c>surveillance-api</c>), <paramref name="otherPorts"/> the
    /// ports this process already serves by configuration key: the scrape port may not be one of them.
    /// </summary>
    public static IServiceCollection AddSurveillanceTelemetry(
        this IServiceCollection services, IConfiguration configuration, string serviceName, IReadOnlyDictionary<string, int> otherPorts)
    {
        services.AddSurveillanceMetrics();
        var validator = new MetricsOptionsValidator(otherPorts);
        services.AddValidatedOptions<MetricsOptions>(configuration, MetricsOptions.Section, validator);

        // Before the container exists: whether to add the exporters and the scrape endpoint at all.
        var scrape = StartupOptions.Read<MetricsOptions>(configuration, MetricsOptions.Section, validator);
        var ourEndpoint = configuration[OtlpEndpointKey];
        var exportsOtlp = !string.IsNullOrWhiteSpace(ourEndpoint) || !string.IsNullOrWhiteSpace(configuration[StandardOtlpEndpointKey]);
        // The standard variables (endpoint, protocol, headers) are read by the exporter itself, which also
        // appends /v1/traces or /v1/metrics for http/protobuf; our key sets the endpoint as given (gRPC).
        void Endpoint(OtlpExporterOptions o)
        {
            if (!string.IsNullOrWhiteSpace(ourEndpoint))
            {
                o.Endpoint = new Uri(ourEndpoint);
            }
        }

        if (!scrape.Enabled && !exportsOtlp)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(serviceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(SurveillanceMetrics.MeterName, OrleansMeter, NpgsqlSource)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation();
            if (scrape.Enabled)
            {
                metrics.AddPrometheusExporter();
            }

            if (exportsOtlp)
            {
                metrics.AddOtlpExporter(Endpoint);
            }
        });
        if (exportsOtlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(OrleansActivitySources)
                .AddSource(NpgsqlSource)
                // Probes and scrapes every few seconds would drown the traces that matter.
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddOtlpExporter(Endpoint));
        }

        if (scrape.Enabled)
        {
            services.AddSingleton<MetricsEndpoint>();
            services.AddHostedService(sp => sp.GetRequiredService<MetricsEndpoint>());
        }

        return services;
    }

    /// <summary>The ports of the URLs in <paramref name="urls"/> (e.g. <c>ASPNETCORE_URLS</c>), for <see cref="MetricsOptionsValidator"/>.</summary>
    public static IEnumerable<int> PortsOf(string? urls) =>
        (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => url.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal))
            .Select(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Port : -1)
            .Where(port => port > 0);
}
