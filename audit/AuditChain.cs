using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Surveillance.Audit;

/// <summary>
/// The keyed hash chain: <c>hash = HMAC-SHA256(Audit:HmacKey, prev_hash ‖ canonical(id, entry))</c>.
/// Editing, removing or reordering rows breaks it, and without the key even a database superuser
/// cannot recompute it. The canonical form is a JSON array in a fixed order with the time in ticks,
/// so it is unambiguous and identical whether computed at append or from the stored row.
/// </summary>
public sealed class AuditChain(IOptions<AuditOptions> options)
{
    public const int HashBytes = 32;
    private const string FormatVersion = "audit-v1";

    // Read on first use, not at construction: a bad key must surface through ValidateOnStart with
    // every other misconfiguration, not as the first exception a hosted service's constructor throws.
    private readonly Lazy<byte[]> _key = new(() => options.Value.KeyBytes);

    /// <summary>The <c>prev_hash</c> of the first entry.</summary>
    public static ReadOnlyMemory<byte> Genesis { get; } = new byte[HashBytes];

    public byte[] Hash(ReadOnlySpan<byte> previousHash, long id, AuditEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write(previousHash);
        WriteCanonical(buffer, id, entry);
        return HMACSHA256.HashData(_key.Value, buffer.WrittenSpan);
    }

    /// <summary>True when <paramref name="hash"/> is the chain's hash of that row (constant-time compare).</summary>
    public bool IsValid(ReadOnlySpan<byte> previousHash, long id, AuditEntry entry, ReadOnlySpan<byte> hash) =>
        CryptographicOperations.FixedTimeEquals(Hash(previousHash, id, entry), hash);

    private static void WriteCanonical(IBufferWriter<byte> buffer, long id, AuditEntry entry)
    {
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartArray();
        json.WriteStringValue(FormatVersion);
        json.WriteNumberValue(id);
        json.WriteNumberValue(entry.Timestamp.UtcTicks);
        json.WriteStringValue(entry.RequestId);
        json.WriteStringValue(entry.Username);
        json.WriteStringValue(entry.ClientIp);
        json.WriteStringValue(entry.Method);
        json.WriteStringValue(entry.Path);
        json.WriteNumberValue(entry.StatusCode);
        json.WriteStringValue(entry.UserAgent);
        json.WriteBooleanValue(entry.IsSensitive);
        json.WriteStringValue(entry.Event);
        if (entry.Error is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStringValue(entry.Error);
        }

        json.WriteStartArray();
        foreach (var (key, value) in (entry.Details ?? new Dictionary<string, string>()).OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            json.WriteStartArray();
            json.WriteStringValue(key);
            json.WriteStringValue(value);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndArray();
    }
}
