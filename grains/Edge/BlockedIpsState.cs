namespace Surveillance.Edge;

[GenerateSerializer, Alias("surveillance.BlockedIpsState")]
public sealed class BlockedIpsState
{
    [Id(0)] public Dictionary<string, BlockInfo> ByIp { get; set; } = [];
}
