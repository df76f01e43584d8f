using System.Globalization;
using System.Net;
using Npgsql;
using Surveillance.Api.Http;
using Surveillance.Errors;
using Surveillance.Audit;

namespace Surveillance.Api.Audit;

/// <summary>
/// The filters of <c>GET /admin/audit</c>. Every value is checked; a bad one answers 400
/// <c>VALIDATION_ERROR</c> naming it. <c>path</c> matches that path and everything below it.
/// </summary>
public sealed record AuditFilter(
    DateTimeOffset? From, DateTimeOffset? To, string? Username, string? ClientIp, string? Path, int? Status, int Limit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static AuditFilter Parse(IQueryCollection query)
    {
        var filter = new AuditFilter(
            Time(query, "from"),
            Time(query, "to"),
            Text(query, "username", AuditText.MaxUsername)?.ToLowerInvariant(),
            Ip(query),
            PathPrefix(query),
            Number(query, "status", 100, 599),
            Number(query, "limit", 1, MaxLimit) ?? DefaultLimit);
        return filter.From > filter.To ? throw DomainException.Validation("'from' must not be after 'to'.") : filter;
    }

    /// <summary>The WHERE clause and its parameters (values are never spliced into the SQL).</summary>
    public (string Where, IReadOnlyList<NpgsqlParameter> Parameters) ToSql()
    {
        var conditions = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        string Parameter(object value)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
            return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        }

        if (From is { } from)
        {
            conditions.Add($"timestamp >= {Parameter(from)}");
        }

        if (To is { } to)
        {
            conditions.Add($"timestamp <= {Parameter(to)}");
        }

        if (Username is { } username)
        {
            conditions.Add($"username = {Parameter(username)}");
        }

        if (ClientIp is { } ip)
        {
            conditions.Add($"client_ip = {Parameter(ip)}");
        }

        if (Path is { } path)
        {
            conditions.Add($"(path = {Parameter(path)} OR starts_with(path, {Parameter(path.TrimEnd('/') + "/")}))");
        }

        if (Status is { } status)
        {
            conditions.Add($"status_code = {Parameter(status)}");
        }

        return (conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions), parameters);
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
