using System.Text.Json;
using Npgsql;

namespace Surveillance.Audit;

/// <summary>A stored audit row: the entry, its id and its two links of the chain.</summary>
public sealed record AuditRecord(long Id, AuditEntry Entry, byte[] PrevHash, byte[] Hash)
{
    /// <summary>The columns <see cref="Read"/> expects, in order.</summary>
    public const string Columns =
        "id, timestamp, request_id, username, client_ip, method, path, status_code, user_agent, " +
        "is_sensitive, event, error, details::text, prev_hash, hash";

    public static AuditRecord Read(NpgsqlDataReader row) => new(
        row.GetInt64(0),
        new AuditEntry
        {
            Timestamp = row.GetFieldValue<DateTimeOffset>(1),
            RequestId = row.GetString(2),
            Username = row.GetString(3),
            ClientIp = row.GetString(4),
            Method = row.GetString(5),
            Path = row.GetString(6),
            StatusCode = row.GetInt32(7),
            UserAgent = row.GetString(8),
            IsSensitive = row.GetBoolean(9),
            Event = row.GetString(10),
            Error = row.IsDBNull(11) ? null : row.GetString(11),
            Details = row.IsDBNull(12) ? null : ReadDetails(row.GetString(12)),
        },
        row.GetFieldValue<byte[]>(13),
        row.GetFieldValue<byte[]>(14));

    /// <summary>
    /// Details are written as a JSON object of strings; anything else (a row edited by hand) is read
    /// as raw JSON text under one key, so that verification reports it instead of failing.
    /// </summary>
    private static Dictionary<string, string> ReadDetails(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, string> { ["~unreadable"] = json };
        }
    }
}
