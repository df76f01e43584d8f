using System.Text;
using Microsoft.Extensions.Options;
using Surveillance.Storage;

namespace Surveillance.Api.Auth;

/// <summary>Token settings, section <c>Auth</c>.</summary>
public sealed class JwtOptions
{
    public const string Section = "Auth";

    /// <summary>HS256 key: at least 32 bytes (RFC 7518 §3.2), never a published example.</summary>
    public string JwtSecret { get; set; } = "";
    public string Issuer { get; set; } = "surveillance";
    public string Audience { get; set; } = "surveillance-api";
    public int TokenLifetimeSeconds { get; set; } = 3600;

    public byte[] KeyBytes => Encoding.UTF8.GetBytes(JwtSecret);
}

/// <summary>Stops the host when the signing secret is missing, short or a well-known example.</summary>
public sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    private static readonly string[] KnownExamples =
    [
        "secret", "changeme", "change-me", "your-secret-key", "your-256-bit-secret", "supersecret",
        "super-secret-key", "your-super-secret-jwt-key-change-in-production", "jwt-secret",
        "my-secret-key", "please-change-me", "development-secret", "test-secret",
    ];

    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var failures = new List<string>();
        var secret = options.JwtSecret ?? ""; // `"JwtSecret": null` in a JSON file binds null: missing too
        if (Encoding.UTF8.GetByteCount(secret) < 32)
        {
            failures.Add("Auth:JwtSecret must be at least 32 bytes of random data (HS256 key); set it from a secret store.");
        }
        else if (IsKnownExample(secret))
        {
            failures.Add("Auth:JwtSecret is a published example value; generate a random one (e.g. `openssl rand -base64 48`).");
        }
        else if (SecretStrength.Weakness(secret) is { } weakness)
        {
            failures.Add($"Auth:JwtSecret is weak: {weakness}; generate a random one (e.g. `openssl rand -base64 48`).");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer) || string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Auth:Issuer and Auth:Audience must not be empty.");
        }

        if (options.TokenLifetimeSeconds is < 60 or > 86_400)
        {
            failures.Add("Auth:TokenLifetimeSeconds must be between 60 and 86400.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsKnownExample(string secret)
    {
        var lowered = secret.Trim().ToLowerInvariant();
        return KnownExamples.Any(example => lowered.Contains(example, StringComparison.Ordinal) && lowered.Length < example.Length + 16)
            || lowered.Distinct().Count() < 8;
    }
}
