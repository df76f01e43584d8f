using System.Net;

namespace Surveillance.Silo;

/// <summary>How this silo is reached: section <c>Silo</c>, plus <c>Orleans:SiloPort</c>/<c>Orleans:GatewayPort</c>.</summary>
public sealed class SiloHostOptions
{
    public const string Section = "Silo";

    /// <summary>The address other silos and clients use for this silo (the pod IP in Kubernetes).</summary>
    public string AdvertisedIp { get; set; } = "127.0.0.1";

    /// <summary>Listen on all interfaces rather than only the advertised address (containers).</summary>
    public bool ListenOnAnyHostAddress { get; set; }

    /// <summary>
    /// Where the Orleans dashboard is served. It has no authentication of its own, so it is bound
    /// to loopback by default; operators reach it through an SSH tunnel or <c>kubectl port-forward</c>.
    /// </summary>
    public string DashboardUrl { get; set; } = "http://127.0.0.1:8081";

    public bool TryGetAdvertisedAddress(out IPAddress address) => IPAddress.TryParse(AdvertisedIp, out address!);
}
