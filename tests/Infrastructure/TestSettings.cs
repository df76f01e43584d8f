using System.Security.Cryptography;

namespace Surveillance.Tests.Infrastructure;

/// <summary>Configuration shared by a test cluster and the API hosts in front of it.</summary>
public sealed class TestSettings
{
    public const string AdminPassword = "admin-password-for-tests";

    public string ServiceId { get; init; } = "test-" + Guid.NewGuid().ToString("N")[..12];
    public string JwtSecret { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    public string PasswordPepper { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    public string AuditHmacKey { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Extra keys for a particular fixture (e.g. short lockouts).</summary>
    public Dictionary<string, string?> Overrides { get; init; } = [];

    public Dictionary<string, string?> SiloConfiguration() => Merge(new()
    {
        ["ConnectionStrings:Orleans"] = TestDatabase.ConnectionString,
        ["Auth:PasswordPepper"] = PasswordPepper,
        // The policy's floor (10) keeps the suite fast on two cores; production uses 12.
        ["Auth:BcryptWorkFactor"] = "10",
        ["SURVEILLANCE_ADMIN_PASSWORD"] = AdminPassword,
    });

    public Dictionary<string, string?> ApiConfiguration() => Merge(new()
    {
        ["ConnectionStrings:Orleans"] = TestDatabase.ConnectionString,
        ["Cluster:ExternalClient"] = "true",
        ["Auth:JwtSecret"] = JwtSecret,
        ["Audit:HmacKey"] = AuditHmacKey,
    });

    private Dictionary<string, string?> Merge(Dictionary<string, string?> values)
    {
        foreach (var (key, value) in Overrides)
        {
            values[key] = value;
        }

        return values;
    }
}
