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
