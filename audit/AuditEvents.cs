namespace Surveillance.Audit;

/// <summary>
/// Event names from the OWASP Application Logging Vocabulary, and which of them are security
/// events: those are stored before their response is sent and never dropped.
/// </summary>
public static class AuditEvents
{
    public const string HttpRequest = "http_request";
    public const string LoginSuccess = "authn_login_success";
    public const string LoginFail = "authn_login_fail";
    public const string TokenRevoked = "authn_token_revoked";
    public const string PasswordChange = "authn_password_change";
    public const string PasswordChangeFail = "authn_password_change_fail";
    public const string AuthorizationFail = "authz_fail";
    public const string RateLimitExceeded = "excess_rate_limit_exceeded";
    public const string InputValidationFail = "input_validation_fail";
    public const string UserCreated = "user_created";
    public const string UserUpdated = "user_updated";
    public const string UserDeleted = "user_deleted";
    public const string IpBlocked = "ip_blocked";
    public const string IpUnblocked = "ip_unblocked";
    public const string KeyRotated = "key_rotated";
    public const string VideoDeleted = "video_deleted";

    /// <summary>Multi-factor authentication: every step of its life is a security event.</summary>
    public const string MfaEnroll = "authn_mfa_enroll";
    public const string MfaConfirm = "authn_mfa_confirm";
    public const string MfaChallenge = "authn_mfa_challenge";
    public const string MfaSuccess = "authn_mfa_success";
    public const string MfaFail = "authn_mfa_fail";
    public const string MfaDisable = "authn_mfa_disable";
    public const string MfaReset = "authn_mfa_reset";

    /// <summary>Stored bytes (a video, or results) failed their authentication check: tampering or corruption.</summary>
    public const string IntegrityFailure = "integrity_failure";

    private static readonly HashSet<string> Security = new(StringComparer.Ordinal)
    {
        LoginSuccess, LoginFail, TokenRevoked, PasswordChange, PasswordChangeFail,
        UserCreated, UserUpdated, UserDeleted, IpBlocked, IpUnblocked, KeyRotated, VideoDeleted, IntegrityFailure,
        MfaEnroll, MfaConfirm, MfaChallenge, MfaSuccess, MfaFail, MfaDisable, MfaReset,
    };

    /// <summary>Login outcomes, account and role changes, blocks, key rotations and deletions (API.md "Audit").</summary>
    public static bool IsSecurityEvent(string name) =>
        Security.Contains(name) || name.EndsWith("_deleted", StringComparison.Ordinal);
}
