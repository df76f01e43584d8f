namespace Surveillance.Api.Edge;

/// <summary>The attack family an intrusion-detection rule recognised.</summary>
public enum ThreatKind
{
    SqlInjection,
    ScriptInjection,
    PathTraversal,
    CommandInjection,
    SensitiveFile,
}

/// <summary>
/// One input that matched an intrusion-detection rule: which family, and where in the request
/// (<c>path</c>, <c>query:q</c>, <c>json:$.description</c>, <c>form:username</c>, <c>multipart:filename</c>).
/// The offending value itself is deliberately not carried: it is attacker-controlled and would be
/// a log-injection vector in the audit trail.
/// </summary>
public sealed record ThreatFinding(ThreatKind Kind, string Location)
{
    /// <summary>The audit event name, from the OWASP Logging Vocabulary's <c>malicious_*</c> family.</summary>
    public string EventName => Kind switch
    {
        ThreatKind.SqlInjection => "malicious_sqli",
        ThreatKind.ScriptInjection => "malicious_xss",
        ThreatKind.PathTraversal => "malicious_path_traversal",
        ThreatKind.CommandInjection => "malicious_cmd_injection",
        ThreatKind.SensitiveFile => "malicious_sensitive_file",
        _ => throw new InvalidOperationException($"No audit event name for {Kind}."),
    };
}
