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
    private const int MaxLocationLength = 100;

    /// <summary>
    /// Where the payload was. A location embeds names the client chose (a query key, a JSON member), and
    /// it is echoed in the 400 body and the logs, so anything but <c>[A-Za-z0-9_.:$[]-]</c> becomes '?' and
    /// it is cut at 100 characters: no CR/LF log forging, no markup reflected back.
    /// </summary>
    public string Location { get; } = Printable(Location);

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

    private static string Printable(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return string.Create(Math.Min(location.Length, MaxLocationLength), location, static (target, source) =>
        {
            for (var i = 0; i < target.Length; i++)
            {
                var c = source[i];
                target[i] = char.IsAsciiLetterOrDigit(c) || "_.:$[]-".Contains(c) ? c : '?';
            }
        });
    }
}
