using System.Net;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// Where <c>GET /health/live</c> and <c>GET /health/ready</c> are served for Kubernetes probes,
    /// e.g. <c>http://0.0.0.0:8082</c> (the pod IP must reach it; the image sets it). A port of its
    /// own, serving nothing else, so the dashboard can stay on loopback. Empty: not served (local
    /// runs, where several silos share one machine and would compete for the port).
    /// </summary>
    public string? HealthUrl { get; set; }

    public bool TryGetAdvertisedAddress(out IPAddress address) => IPAddress.TryParse(AdvertisedIp, out address!);

    /// <summary>The health port, or null when <see cref="HealthUrl"/> is empty; refuses a URL that cannot serve the probes.</summary>
    public int? HealthPort()
    {
        if (string.IsNullOrWhiteSpace(HealthUrl))
        {
            return null;
        }

        BindingAddress health;
        try
        {
            health = BindingAddress.Parse(HealthUrl);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Silo:HealthUrl '{HealthUrl}' is not a URL such as http://0.0.0.0:8082.");
        }

        if (health.Port <= 0 || health.Port == BindingAddress.Parse(DashboardUrl).Port)
        {
            throw new InvalidOperationException(
                $"Silo:HealthUrl '{HealthUrl}' needs a fixed port of its own, not 0 and not the dashboard's ({DashboardUrl}).");
        }

        return health.Port;
    }
}

/// <summary>Read before the container exists (<see cref="Hosting.StartupOptions.Read{TOptions}"/>): the health port must be usable.</summary>
public sealed class SiloHostOptionsValidator : IValidateOptions<SiloHostOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloHostOptions options)
    {
        try
        {
            options.HealthPort();
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException refused)
        {
            return ValidateOptionsResult.Fail(refused.Message);
        }
    }
}
