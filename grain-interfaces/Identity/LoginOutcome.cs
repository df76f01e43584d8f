namespace Surveillance.Identity;

/// <summary>
/// The result of a login attempt. <see cref="Profile"/> is set only on success; the reason is
/// for the audit log and is never shown to the client, who sees one answer for every failure.
/// <see cref="MfaChallenge"/> is set instead when the password was right but the account has
/// multi-factor authentication on: the second step (<see cref="IUserGrain.VerifyMfaAsync"/>) needs it.
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.LoginOutcome")]
public sealed record LoginOutcome(
    [property: Id(0)] UserProfile? Profile,
    [property: Id(1)] LoginFailure Failure,
    [property: Id(2)] string? MfaChallenge = null,
    [property: Id(3)] int RetryAfterSeconds = 0)
{
    public bool Succeeded => Profile is not null;

    public static LoginOutcome Success(UserProfile profile) => new(profile, LoginFailure.None);

    public static LoginOutcome Failed(LoginFailure failure) => new(null, failure);

    /// <summary>The silo's hashing budget is used up (issue 10): answered 503 with this Retry-After, not a failed login.</summary>
    public static LoginOutcome Busy(TimeSpan retryAfter) =>
        new(null, LoginFailure.Busy, null, (int)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, 60));

    public static LoginOutcome SecondFactorRequired(string challenge) => new(null, LoginFailure.None, challenge);
}

/// <summary>Why a login failed, for the audit trail only.</summary>
public enum LoginFailure
{
    None = 0,
    UnknownUser = 1,
    WrongPassword = 2,
    Inactive = 3,
    Locked = 4,

    /// <summary>The second step's code was neither a fresh TOTP code nor an unused recovery code.</summary>
    WrongMfaCode = 5,

    /// <summary>The second step's <c>mfa_token</c> is unknown, expired or used up.</summary>
    MfaChallengeInvalid = 6,

    /// <summary>Not checked: the password could not be hashed within the silo's budget (a login storm).</summary>
    Busy = 7,
}
