namespace Surveillance.Edge;

/// <summary>How many blocks a client has had, and when the last one ended: repeat blocks double.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.BlockOffences")]
public sealed record BlockOffences(
    [property: Id(0)] int Count,
    [property: Id(1)] DateTimeOffset LastExpiresAt);
