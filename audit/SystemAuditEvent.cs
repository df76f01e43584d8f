namespace Surveillance.Audit;

/// <summary>
/// Something the system did or found on its own, with no request behind it: a retention deletion,
/// stored data that failed its integrity check. <see cref="SystemAuditLog"/> stores it in the same
/// hash chain as the requests.
/// </summary>
public sealed record SystemAuditEvent
{
    /// <summary>An OWASP logging vocabulary name, see <see cref="AuditEvents"/>.</summary>
    public required string Event { get; init; }

    /// <summary>What the system was doing, upper case (e.g. <c>RETENTION</c>, <c>CHECK</c>).</summary>
    public required string Action { get; init; }

    /// <summary>The resource it concerns, written as the API addresses it (e.g. <c>/surveillance/videos/{id}</c>).</summary>
    public required string Resource { get; init; }

    /// <summary>What went wrong; null when the action succeeded.</summary>
    public string? Failure { get; init; }

    public IReadOnlyDictionary<string, string>? Details { get; init; }
}
