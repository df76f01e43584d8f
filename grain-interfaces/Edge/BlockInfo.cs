namespace Surveillance.Edge;

/// <summary>A block on a client IP.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.BlockInfo")]
public sealed record BlockInfo(
    [property: Id(0)] string Ip,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset BlockedAt,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] int ThreatCount);
