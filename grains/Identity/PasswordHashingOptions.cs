using Microsoft.Extensions.Options;
using Surveillance.Storage;

namespace Surveillance.Identity;

/// <summary>Settings of the <c>Auth</c> section that the silo needs to store and check passwords.</summary>
public sealed class PasswordHashingOptions
{
    public const string Section = "Auth";

    /// <summary>bcrypt cost; 12 by default and never below 10 (OWASP Password Storage cheat sheet).</summary>
    public int BcryptWorkFactor { get; set; } = 12;

    /// <summary>Server-side secret for the HMAC-SHA384 pre-hash; never stored with the hashes.</summary>
    public string PasswordPepper { get; set; } = "";
}

internal sealed class PasswordHashingOptionsValidator : IValidateOptions<PasswordHashingOptions>
{
    public ValidateOptionsResult Validate(string? name, PasswordHashingOptions options)
    {
        var failures = new List<string>();
        if (options.BcryptWorkFactor is < 10 or > 31)
        {
            failures.Add("Auth:BcryptWorkFactor must be between 10 and 31.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(options.PasswordPepper ?? "") < 32)
        {
            failures.Add("Auth:PasswordPepper must be a secret of at least 32 bytes (it keys the password pre-hash).");
        }
        else if (SecretStrength.Weakness(options.PasswordPepper!) is { } weakness)
        {
            failures.Add($"Auth:PasswordPepper is weak: {weakness}; generate one with `openssl rand -base64 48`.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
