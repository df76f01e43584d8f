using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Surveillance.Hosting;

namespace Surveillance.Silo;

/// <summary>The ports this silo listens on for other silos and for clients: <c>Orleans:SiloPort</c>, <c>Orleans:GatewayPort</c>.</summary>
public sealed class OrleansPortOptions
{
    public const string Section = "Orleans";

    public int SiloPort { get; set; } = EndpointOptions.DEFAULT_SILO_PORT;

    public int GatewayPort { get; set; } = EndpointOptions.DEFAULT_GATEWAY_PORT;

    /// <summary>Read before the container exists: Orleans' endpoints and the scrape port's check need them.</summary>
    public static OrleansPortOptions From(IConfiguration configuration) =>
        StartupOptions.Read(configuration, Section, OrleansPortOptionsValidator.Instance);
}

/// <summary>Ports a socket can have; 0 keeps Orleans' meaning (no gateway, or a port the system picks).</summary>
public sealed class OrleansPortOptionsValidator : IValidateOptions<OrleansPortOptions>
{
    public static readonly OrleansPortOptionsValidator Instance = new();

    public ValidateOptionsResult Validate(string? name, OrleansPortOptions options) =>
        options.SiloPort is >= 0 and <= 65535 && options.GatewayPort is >= 0 and <= 65535
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Orleans:SiloPort and Orleans:GatewayPort must be ports (0-65535); they are {options.SiloPort} and {options.GatewayPort}.");
}
