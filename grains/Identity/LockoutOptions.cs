using Microsoft.Extensions.Options;

namespace Surveillance.Identity;

/// <summary>
/// Per-account brute-force defence (ASVS 6.1.1 / 6.3.1), section <c>Auth:Lockout</c>.
/// </summary>
public sealed class LockoutOptions
{
    public const string Section = "Auth:Lockout";

    /// <summary>Consecutive failures that lock the account.</summary>
    public int Threshold { get; set; } = 10;

    /// <summary>First lockout length; each further lockout doubles it.</summary>
    public int LockoutSeconds { get; set; } = 900;

    /// <summary>Longest lockout.</summary>
    public int MaxLockoutSeconds { get; set; } = 86_400;

    /// <summary>How long an IP that logged in successfully stays exempt from the lockout.</summary>
    public int KnownIpDays { get; set; } = 30;
}

internal sealed class LockoutOptionsValidator : IValidateOptions<LockoutOptions>
{
    public ValidateOptionsResult Validate(string? name, LockoutOptions o) =>
        o.Threshold > 0 && o.LockoutSeconds > 0 && o.MaxLockoutSeconds >= o.LockoutSeconds && o.KnownIpDays > 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Auth:Lockout needs a positive Threshold, LockoutSeconds, KnownIpDays and MaxLockoutSeconds >= LockoutSeconds.");
}
