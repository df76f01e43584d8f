using Surveillance.Hosting.Telemetry;

namespace Surveillance.Silo;

public static class SiloTelemetry
{
    public const string ServiceName = "surveillance-silo";

    /// <summary>Metrics and traces of this silo; the scrape port may not be its silo, gateway or dashboard port.</summary>
    public static IServiceCollection AddSiloTelemetry(this IServiceCollection services, IConfiguration configuration, SiloHostOptions host)
    {
        var orleans = OrleansPortOptions.From(configuration);
        var ports = new Dictionary<string, int>
        {
            ["Orleans:SiloPort"] = orleans.SiloPort,
            ["Orleans:GatewayPort"] = orleans.GatewayPort,
        };
        foreach (var port in TelemetryHostingExtensions.PortsOf(host.DashboardUrl))
        {
            ports["Silo:DashboardUrl"] = port;
        }

        return services.AddSurveillanceTelemetry(configuration, ServiceName, ports);
    }
}
