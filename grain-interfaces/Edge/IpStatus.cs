namespace Surveillance.Edge;

/// <summary>What an administrator sees of one IP: recent threats, rate-limit windows, block.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.IpStatus")]
public sealed record IpStatus(
    [property: Id(0)] string Ip,
    [property: Id(1)] IReadOnlyList<ThreatRecord> Threats,
    [property: Id(2)] int FailedLogins,
    [property: Id(3)] IReadOnlyList<RateWindow> RateWindows,
    [property: Id(4)] BlockInfo? Block,
    [property: Id(5)] int BlockCount,
    [property: Id(6)] bool Allowlisted);

[GenerateSerializer, Immutable, Alias("surveillance.ThreatRecord")]
public sealed record ThreatRecord(
    [property: Id(0)] string EventName,
    [property: Id(1)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("surveillance.RateWindow")]
public sealed record RateWindow(
    [property: Id(0)] string Rule,
    [property: Id(1)] int Limit,
    [property: Id(2)] int WindowSeconds,
    [property: Id(3)] int Used,
    [property: Id(4)] DateTimeOffset ResetAt);
