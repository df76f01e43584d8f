using System.Net;

namespace Surveillance.Hosting.Telemetry;

/// <summary>
/// Section <c>Metrics</c>: where this process serves its Prometheus scrape endpoint
/// (<c>GET /metrics</c>). It is a listener of its own, never the public API port, so the public
/// port cannot leak operational figures and the scrape port can be opened to the monitoring
/// namespace alone (deploy/k8s/networkpolicy.yaml).
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";
    public const string Path = "/metrics";

    public bool Enabled { get; set; } = true;

    /// <summary>The scrape port. 0 takes any free port (tests read it from <see cref="MetricsEndpoint"/>).</summary>
    public int Port { get; set; } = -1;

    /// <summary>
    /// The address the scrape port listens on: loopback by default; <c>0.0.0.0</c> (or <c>::</c>) in a
    /// pod, so that a Prometheus in the cluster reaches it.
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    public bool TryGetAddress(out IPAddress address) => IPAddress.TryParse(Address, out address!);
}
