using System.Security.Cryptography;

namespace Surveillance.Tests.Infrastructure;

/// <summary>Configuration shared by a test cluster and the API hosts in front of it.</summary>
public sealed class TestSettings
{
    public const string AdminPassword = "admin-password-for-tests";

    /// <summary>
    /// The password of the users the tests create. A test credential, not a secret: it only ever
    /// guards accounts in throw-away test clusters. It meets the password policy (length, not breached).
    /// </summary>
    public const string UserPassword = "correct horse battery";

    public string ServiceId { get; init; } = "test-" + Guid.NewGuid().ToString("N")[..12];
    public string JwtSecret { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    public string PasswordPepper { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    public string AuditHmacKey { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public string ResultsHmacKey { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Master keys (id → base64) and the active one; a test may replace them to rotate.</summary>
    public Dictionary<string, string> MasterKeys { get; init; } = new() { ["test-1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
    public string ActiveKeyId { get; init; } = "test-1";

    /// <summary>Where this fixture's encrypted videos are written (silo and API share it, as on one host).</summary>
    public string VideoPath { get; init; } = Path.Combine(Path.GetTempPath(), "surveillance-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Extra keys for a particular fixture (e.g. short lockouts).</summary>
    public Dictionary<string, string?> Overrides { get; init; } = [];

    public Dictionary<string, string?> SiloConfiguration() => Merge(new()
    {
        ["ConnectionStrings:Orleans"] = TestDatabase.ConnectionString,
        ["Auth:PasswordPepper"] = PasswordPepper,
        // The policy's floor (10) keeps the suite fast on two cores; production uses 12.
        ["Auth:BcryptWorkFactor"] = "10",
        ["Audit:HmacKey"] = AuditHmacKey,
        ["Results:HmacKey"] = ResultsHmacKey,
        // Most test clusters never search: they do not load the embedding model at start-up.
        ["Processing:WarmUpEmbedder"] = "false",
        ["SURVEILLANCE_ADMIN_PASSWORD"] = AdminPassword,
        // Test classes log in and fail logins from one address far more than a client would;
        // the edge tests set these back to the real limits.
        ["Threats:MaxFailedLogins"] = "100000",
        ["Threats:MaxThreats"] = "100000",
        // Test classes create users and log in many at once on a loaded machine; HashingBudgetTests
        // sets the small budget it tests.
        ["Auth:HashingThreads"] = "2",
        ["Auth:HashingQueueLength"] = "256",
        ["Auth:HashingWaitMilliseconds"] = "10000",
        ["Auth:HashingCpuShare"] = "1",
    });

    public Dictionary<string, string?> ApiConfiguration() => Merge(new()
    {
        ["ConnectionStrings:Orleans"] = TestDatabase.ConnectionString,
        ["Cluster:ExternalClient"] = "true",
        // Every API host would bind the same scrape port; tests/Observability turns it on with port 0.
        ["Metrics:Enabled"] = "false",
        ["Auth:JwtSecret"] = JwtSecret,
        ["Audit:HmacKey"] = AuditHmacKey,
        ["RateLimiting:Rules:login:Limit"] = "100000",
        ["RateLimiting:Rules:upload:Limit"] = "100000",
        ["RateLimiting:Rules:search:Limit"] = "100000",
        ["RateLimiting:Rules:frames:Limit"] = "100000",
        ["RateLimiting:Rules:default:Limit"] = "100000",
    });

    private Dictionary<string, string?> Merge(Dictionary<string, string?> values)
    {
        values["Storage:VideoPath"] = VideoPath;
        values["Storage:ActiveKeyId"] = ActiveKeyId;
        foreach (var (id, key) in MasterKeys)
        {
            values[$"Storage:MasterKeys:{id}"] = key;
        }

        foreach (var (key, value) in Overrides)
        {
            values[key] = value;
        }

        return values;
    }
}
