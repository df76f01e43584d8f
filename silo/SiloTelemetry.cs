using Orleans.Configuration;
using Surveillance.Hosting.Telemetry;

namespace Surveillance.Silo;

public static class SiloTelemetry
{
    public const string ServiceName = "surveillance-silo";

    /// <summary>Metrics and traces of this silo; the scrape port may not be its silo, gateway or dashboard port.</summary>
    public static IServiceCollection AddSiloTelemetry(this IServiceCollection services, IConfiguration configuration, SiloHostOptions host)
    {
        var ports = new Dictionary<string, int>
        {
            ["Orleans:SiloPort"] = configuration.GetValue("Orleans:SiloPort", EndpointOptions.DEFAULT_SILO_PORT),
            ["Orleans:GatewayPort"] = configuration.GetValue("Orleans:GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT),
        };
        foreach (var port in TelemetryHostingExtensions.PortsOf(host.DashboardUrl))
        {
            ports["Silo:DashboardUrl"] = port;
        }

        return services.AddSurveillanceTelemetry(configuration, ServiceName, ports);
    }
}
