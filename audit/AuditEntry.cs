namespace Surveillance.Audit;

/// <summary>
/// One audit record as the API produces it (API.md "Audit"): who did what, from where, with which
/// outcome. <see cref="Normalized"/> is what gets stored and hashed.
/// </summary>
public sealed record AuditEntry
{
    public const string Anonymous = "anonymous";

    public required DateTimeOffset Timestamp { get; init; }
    public required string RequestId { get; init; }
    public string Username { get; init; } = Anonymous;
    public required string ClientIp { get; init; }
    public required string Method { get; init; }
    public required string Path { get; init; }
    public required int StatusCode { get; init; }
    public string UserAgent { get; init; } = "";
    public bool IsSensitive { get; init; }

    /// <summary>An OWASP logging vocabulary name, see <see cref="AuditEvents"/>.</summary>
    public string Event { get; init; } = AuditEvents.HttpRequest;

    /// <summary>The <c>error_code</c> of a failed request; null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>Extra event data (string values only, so that its canonical form survives jsonb).</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }

    /// <summary>
    /// The entry with every text escaped and capped (log injection, oversized values) and the time
    /// cut to the microseconds PostgreSQL keeps, so that the stored row hashes as it was written.
    /// </summary>
    public AuditEntry Normalized()
    {
        var utc = Timestamp.ToUniversalTime();
        return this with
        {
            Timestamp = new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero),
            RequestId = AuditText.Clean(RequestId, AuditText.MaxRequestId),
            Username = AuditText.Clean(Username, AuditText.MaxUsername) is { Length: > 0 } user ? user : Anonymous,
            ClientIp = AuditText.Clean(ClientIp, AuditText.MaxClientIp),
            Method = AuditText.Clean(Method, AuditText.MaxMethod),
            Path = AuditText.Clean(Path, AuditText.MaxPath),
            UserAgent = AuditText.Clean(UserAgent, AuditText.MaxUserAgent),
            Event = AuditText.Clean(Event, AuditText.MaxEvent) is { Length: > 0 } name ? name : AuditEvents.HttpRequest,
            Error = Error is null ? null : AuditText.Clean(Error, AuditText.MaxError),
            Details = AuditText.Clean(Details),
        };
    }
}
