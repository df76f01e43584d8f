namespace Surveillance.Edge;

/// <summary>A client's active block, if any, and how many times it has been blocked.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.IpBlockRecord")]
public sealed record IpBlockRecord(
    [property: Id(0)] BlockInfo? Block,
    [property: Id(1)] int BlockCount);
