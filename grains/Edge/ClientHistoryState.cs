namespace Surveillance.Edge;

/// <summary>A client's strikes within the threat window, oldest first; pruned on every write.</summary>
[GenerateSerializer, Alias("surveillance.ClientHistoryState")]
public sealed class ClientHistoryState
{
    [Id(0)] public List<ThreatRecord> Threats { get; set; } = [];
    [Id(1)] public List<DateTimeOffset> FailedLogins { get; set; } = [];
}
