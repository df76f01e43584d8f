using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Surveillance.Audit;

/// <summary>
/// Pseudonymises an entry for export (API.md: <c>ip_subnet</c> and <c>email_hash</c> instead of
/// <c>client_ip</c> and e-mail; GDPR art. 4(5)). The IP keeps its network (IPv4 /24, IPv6 /48);
/// an e-mail becomes an HMAC-SHA256 under a key derived from the audit key (HKDF), so the same
/// address links across entries but, unlike a plain hash, cannot be found by hashing a list of
/// likely addresses. Usernames stay: they are the accountability the log exists for.
/// </summary>
public sealed partial class AuditAnonymizer(IOptions<AuditOptions> options)
{
    private static readonly byte[] EmailKeyInfo = "surveillance/audit/email-pseudonym/v1"u8.ToArray();

    private readonly Lazy<byte[]> _emailKey = new(() => HKDF.DeriveKey(HashAlgorithmName.SHA256, options.Value.KeyBytes, 32, [], EmailKeyInfo));

    public AuditEntryResponse Anonymize(AuditRecord record)
    {
        var response = AuditEntryResponse.From(record);
        string? emailHash = null;
        Dictionary<string, string>? details = null;
        if (response.Details is { } original)
        {
            details = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in original)
            {
                if (IsEmail(key, value))
                {
                    var hash = EmailHash(value);
                    details[key + "_hash"] = hash;
                    emailHash ??= hash;
                }
                else
                {
                    details[key] = value;
                }
            }
        }

        return response with { ClientIp = null, IpSubnet = Subnet(record.Entry.ClientIp), Details = details, EmailHash = emailHash };
    }

    /// <summary>IPv4 /24 (<c>203.0.113.0</c>) or IPv6 /48 (<c>2001:db8:1::</c>); "unknown" when it is no address.</summary>
    public static string Subnet(string clientIp)
    {
        if (!IPAddress.TryParse(clientIp, out var address))
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        var keep = address.AddressFamily == AddressFamily.InterNetwork ? 3 : 6;
        Array.Clear(bytes, keep, bytes.Length - keep);
        return new IPAddress(bytes).ToString();
    }

    /// <summary>Lower-case hex HMAC of the trimmed, lower-cased address.</summary>
    public string EmailHash(string email) => Convert.ToHexStringLower(
        HMACSHA256.HashData(_emailKey.Value, Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));

    private static bool IsEmail(string key, string value) =>
        key.Contains("email", StringComparison.OrdinalIgnoreCase) || EmailShape().IsMatch(value);

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailShape();
}
