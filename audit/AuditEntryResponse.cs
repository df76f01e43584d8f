using System.Text.Json.Serialization;

namespace Surveillance.Audit;

/// <summary>One audit entry as <c>/admin/audit</c> and its export show it (the export anonymised: <see cref="AuditAnonymizer"/>).</summary>
public sealed record AuditEntryResponse(
    long Id,
    DateTimeOffset Timestamp,
    string RequestId,
    string Username,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientIp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IpSubnet,
    string Method,
    string Path,
    int StatusCode,
    string UserAgent,
    bool IsSensitive,
    string Event,
    string? Error,
    IReadOnlyDictionary<string, string>? Details,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EmailHash,
    string PrevHash,
    string Hash)
{
    public static AuditEntryResponse From(AuditRecord record)
    {
        var entry = record.Entry;
        return new AuditEntryResponse(
            record.Id, entry.Timestamp, entry.RequestId, entry.Username, entry.ClientIp, null, entry.Method, entry.Path,
            entry.StatusCode, entry.UserAgent, entry.IsSensitive, entry.Event, entry.Error, entry.Details, null,
            Convert.ToHexStringLower(record.PrevHash), Convert.ToHexStringLower(record.Hash));
    }
}
