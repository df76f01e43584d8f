using System.Globalization;
using System.Net;
using Surveillance.Api.Http;
using Surveillance.Errors;
using Surveillance.Audit;

namespace Surveillance.Api.Audit;

/// <summary>
/// Reads the filters of <c>GET /admin/audit</c> from the query string. Every value is checked; a
/// bad one answers 400 <c>VALIDATION_ERROR</c> naming it.
/// </summary>
public static class AuditFilterQuery
{
    public static AuditFilter Parse(IQueryCollection query)
    {
        var filter = new AuditFilter(
            Time(query, "from"),
            Time(query, "to"),
            Text(query, "username", AuditText.MaxUsername)?.ToLowerInvariant(),
            Ip(query),
            PathPrefix(query),
            Number(query, "status", 100, 599),
            Number(query, "limit", 1, AuditFilter.MaxLimit) ?? AuditFilter.DefaultLimit);
        return filter.From > filter.To ? throw DomainException.Validation("'from' must not be after 'to'.") : filter;
    }

    private static string? Value(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[^1])
            ? (values.Count == 1 ? values[0] : throw DomainException.Validation($"'{name}' may be given once."))
            : null;

    private static DateTimeOffset? Time(IQueryCollection query, string name) =>
        Value(query, name) is not { } text ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw DomainException.Validation($"'{name}' must be an ISO-8601 time, e.g. 2026-11-27T10:30:00Z.");

    private static string? Text(IQueryCollection query, string name, int maxLength) =>
        Value(query, name) is not { } text ? null
        : text.Length <= maxLength && !text.Any(char.IsControl)
            ? text
            : throw DomainException.Validation($"'{name}' must be at most {maxLength} characters without control characters.");

    private static string? Ip(IQueryCollection query) =>
        Value(query, "ip") is not { } text ? null
        : IPAddress.TryParse(text, out var ip) && text.Length <= AuditText.MaxClientIp
            ? ClientAddress.Normalize(ip)
            : throw DomainException.Validation("'ip' must be an IPv4 or IPv6 address.");

    private static string? PathPrefix(IQueryCollection query) =>
        Value(query, "path") is not { } text ? null
        : text.StartsWith('/') && text.Length <= AuditText.MaxPath
            ? AuditText.Clean(text, AuditText.MaxPath)
            : throw DomainException.Validation($"'path' must start with '/' and be at most {AuditText.MaxPath} characters.");

    private static int? Number(IQueryCollection query, string name, int min, int max) =>
        Value(query, name) is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw DomainException.Validation($"'{name}' must be a whole number from {min} to {max}.");
}
