namespace Surveillance.Edge;

/// <summary>
/// The answer to "may this IP make requests under this rule": permits granted (0 when refused),
/// the rate-limit figures for the response headers, and the block when the IP is blocked.
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.Admission")]
public sealed record Admission(
    [property: Id(0)] int Granted,
    [property: Id(1)] int Limit,
    [property: Id(2)] int Remaining,
    [property: Id(3)] DateTimeOffset ResetAt,
    [property: Id(4)] BlockInfo? Block)
{
    public bool IsBlocked => Block is not null;
}
