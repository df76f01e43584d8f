using Microsoft.Extensions.Options;

namespace Surveillance.Hosting.Telemetry;

/// <summary>
/// Refuses a scrape port that is missing, out of range, or the same as another port this process
/// serves (the public API, the silo and gateway ports, the dashboard): sharing one would either
/// fail to bind or put <c>/metrics</c> where the public can reach it.
/// </summary>
public sealed class MetricsOptionsValidator(IReadOnlyDictionary<string, int> otherPorts) : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.Port is < 0 or > 65535)
        {
            return ValidateOptionsResult.Fail(
                $"Metrics:Port must be set to a port of its own (1-65535), or Metrics:Enabled=false; it is {options.Port}.");
        }

        if (!options.TryGetAddress(out _))
        {
            return ValidateOptionsResult.Fail($"Metrics:Address '{options.Address}' is not an IP address (e.g. 127.0.0.1 or 0.0.0.0).");
        }

        foreach (var (key, port) in otherPorts)
        {
            if (options.Port != 0 && port == options.Port)
            {
                return ValidateOptionsResult.Fail(
                    $"Metrics:Port {options.Port} is also {key}: the scrape endpoint needs a port of its own.");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
