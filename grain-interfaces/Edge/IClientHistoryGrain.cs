namespace Surveillance.Edge;

/// <summary>
/// The durable part of what the edge knows about one client (key: <see cref="ClientKeys.For"/>): its
/// threats and failed logins within the threat window. Activated only when the client strikes, so an
/// address that never misbehaves costs no database work; because it is stored, an attacker cannot
/// reset the counters that lead to a block by waiting for the client grain's idle collection or a
/// silo restart. <see cref="IClientIpGrain"/> is its only caller.
/// </summary>
[Alias("surveillance.IClientHistoryGrain")]
public interface IClientHistoryGrain : IGrainWithStringKey
{
    /// <summary>Stores one strike; returns every strike still within <paramref name="windowSeconds"/>, this one included.</summary>
    [Alias("RecordAsync")] Task<ClientStrikes> RecordAsync(ClientStrike strike, int windowSeconds);

    /// <summary>The strikes within <paramref name="windowSeconds"/> (nothing stored: empty).</summary>
    [Alias("GetAsync")] Task<ClientStrikes> GetAsync(int windowSeconds);

    /// <summary>Forgets every strike (an administrator lifted the client's block).</summary>
    [Alias("ClearAsync")] Task ClearAsync();
}

/// <summary>One threat (<see cref="ThreatEvent"/> names it) or failed login (<see cref="ThreatEvent"/> null).</summary>
[GenerateSerializer, Immutable, Alias("surveillance.ClientStrike")]
public sealed record ClientStrike([property: Id(0)] string? ThreatEvent, [property: Id(1)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("surveillance.ClientStrikes")]
public sealed record ClientStrikes(
    [property: Id(0)] IReadOnlyList<ThreatRecord> Threats,
    [property: Id(1)] IReadOnlyList<DateTimeOffset> FailedLogins)
{
    public static readonly ClientStrikes None = new([], []);
}
