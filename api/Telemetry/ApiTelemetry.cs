using Surveillance.Hosting.Telemetry;

namespace Surveillance.Api.Telemetry;

public static class ApiTelemetry
{
    public const string ServiceName = "surveillance-api";

    /// <summary>Metrics and traces of this API instance; the scrape port may not be one the public API listens on.</summary>
    public static WebApplicationBuilder AddApiTelemetry(this WebApplicationBuilder builder)
    {
        var publicPorts = new Dictionary<string, int>();
        foreach (var key in new[] { "urls", "http_ports", "https_ports" })
        {
            var value = builder.Configuration[key];
            var ports = key == "urls" ? TelemetryHostingExtensions.PortsOf(value) : PortList(value);
            foreach (var port in ports)
            {
                publicPorts.TryAdd($"a public port ({key})", port);
            }
        }

        builder.Services.AddSurveillanceTelemetry(builder.Configuration, ServiceName, publicPorts);
        return builder;
    }

    private static IEnumerable<int> PortList(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, out var port) ? port : -1)
            .Where(port => port > 0);
}
