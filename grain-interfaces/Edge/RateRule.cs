namespace Surveillance.Edge;

/// <summary>A per-IP limit: at most <see cref="Limit"/> requests in any <see cref="WindowSeconds"/>.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.RateRule")]
public sealed record RateRule(
    [property: Id(0)] string Name,
    [property: Id(1)] int Limit,
    [property: Id(2)] int WindowSeconds);
