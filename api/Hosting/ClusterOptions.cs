using Microsoft.Extensions.Options;

namespace Surveillance.Api.Hosting;

/// <summary>How the API reaches the Orleans cluster: section <c>Cluster</c>.</summary>
public sealed class ClusterConnectionOptions
{
    public const string Section = "Cluster";

    /// <summary>Longest wait for one grain call before it fails (and the request answers 503).</summary>
    public int CallTimeoutSeconds { get; set; } = 10;

    /// <summary>How long start-up keeps trying to reach a gateway before it gives up.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 60;

    /// <summary>Retries of idempotent (<c>[ReadOnly]</c>) calls that failed to reach a silo.</summary>
    public int IdempotentRetries { get; set; } = 2;

    /// <summary>
    /// When true the host does not build its own Orleans client: the embedding process supplies
    /// <see cref="IClusterClient"/> (the tests do, with an in-process cluster).
    /// </summary>
    public bool ExternalClient { get; set; }
}

/// <summary>Bounded waits: a grain call, the connection at start-up, and the retries of idempotent calls.</summary>
public sealed class ClusterConnectionOptionsValidator : IValidateOptions<ClusterConnectionOptions>
{
    public static readonly ClusterConnectionOptionsValidator Instance = new();

    public ValidateOptionsResult Validate(string? name, ClusterConnectionOptions options) =>
        options.CallTimeoutSeconds is > 0 and <= 120 && options.ConnectTimeoutSeconds > 0 && options.IdempotentRetries is >= 0 and <= 5
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                "Cluster:CallTimeoutSeconds must be 1-120, Cluster:ConnectTimeoutSeconds positive, Cluster:IdempotentRetries 0-5.");
}
