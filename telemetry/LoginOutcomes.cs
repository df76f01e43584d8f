namespace Surveillance.Telemetry;

/// <summary>The closed set of <c>outcome</c> tags of <c>surveillance.logins</c>.</summary>
public static class LoginOutcomes
{
    public const string Success = "success";
    public const string MfaChallenge = "mfa_challenge";
    public const string UnknownUser = "unknown_user";
    public const string WrongPassword = "wrong_password";
    public const string Inactive = "inactive";
    public const string Locked = "locked";
    public const string WrongMfaCode = "wrong_mfa_code";
    public const string MfaChallengeInvalid = "mfa_challenge_invalid";

    /// <summary>Refused because the silo's hashing budget was used up (503): login storm pressure.</summary>
    public const string Busy = "busy";
}
