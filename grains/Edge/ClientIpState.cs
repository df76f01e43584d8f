namespace Surveillance.Edge;

/// <summary>
/// The durable part of <see cref="ClientIpGrain"/>: the ban and how many bans came before it.
/// Counters (rate windows, threats, failed logins) are soft state; bans are not.
/// </summary>
[GenerateSerializer, Alias("surveillance.ClientIpState")]
public sealed class ClientIpState
{
    [Id(0)] public BlockInfo? Block { get; set; }
    [Id(1)] public int BlockCount { get; set; }
}
