namespace Surveillance.Edge;

/// <summary>The durable part of the edge: active blocks, and how often each client was blocked before.</summary>
[GenerateSerializer, Alias("surveillance.BlockedIpsState")]
public sealed class BlockedIpsState
{
    [Id(0)] public Dictionary<string, BlockInfo> ByIp { get; set; } = [];

    [Id(1)] public Dictionary<string, BlockOffences> Offences { get; set; } = [];
}
