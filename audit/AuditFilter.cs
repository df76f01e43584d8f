using System.Globalization;
using Npgsql;

namespace Surveillance.Audit;

/// <summary>
/// Which entries <see cref="AuditReader.QueryAsync"/> returns: every condition given must hold;
/// <c>Path</c> matches that path and everything below it.
/// </summary>
public sealed record AuditFilter(
    DateTimeOffset? From, DateTimeOffset? To, string? Username, string? ClientIp, string? Path, int? Status, int Limit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

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
}
