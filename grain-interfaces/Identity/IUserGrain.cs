using Orleans.Concurrency;

namespace Surveillance.Identity;

/// <summary>
/// One account, keyed by its normalised username. It holds the bcrypt hash and verifies
/// passwords itself, so the hash never leaves the silo.
/// </summary>
[Alias("surveillance.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>The profile; null when no such account exists.</summary>
    [Alias("GetAsync"), ReadOnly] Task<UserProfile?> GetAsync();

    /// <summary>Creates the account. Called by <see cref="IUserDirectoryGrain"/> only.</summary>
    [Alias("CreateAsync")] Task<UserProfile> CreateAsync(NewUser user);

    /// <summary>
    /// Checks a password, applying the per-account lockout. Unknown accounts cost the same
    /// bcrypt work as known ones.
    /// </summary>
    [Alias("LoginAsync")] Task<LoginOutcome> LoginAsync(LoginAttempt attempt);

    /// <summary>Changes the password after checking the old one; revokes every other session.</summary>
    [Alias("ChangePasswordAsync")] Task ChangePasswordAsync(string oldPassword, string newPassword, string keepTokenId);

    /// <summary>Sets a new password without the old one (administrators); revokes every session.</summary>
    [Alias("ResetPasswordAsync")] Task ResetPasswordAsync(string newPassword);

    /// <summary>Applies an administrator's patch. Called by <see cref="IUserDirectoryGrain"/> only.</summary>
    [Alias("UpdateAsync")] Task<UserProfile> UpdateAsync(UserPatch patch);

    /// <summary>Removes the account and revokes its sessions. Called by <see cref="IUserDirectoryGrain"/> only.</summary>
    [Alias("DeleteAsync")] Task DeleteAsync();

    /// <summary>
    /// The second login step: checks a TOTP or recovery code against the challenge of
    /// <see cref="LoginAsync"/>. A wrong code counts toward the account lockout.
    /// </summary>
    [Alias("VerifyMfaAsync")] Task<LoginOutcome> VerifyMfaAsync(MfaAttempt attempt);

    /// <summary>Starts (or restarts) TOTP enrollment; a conflict when MFA is already on.</summary>
    [Alias("EnrollTotpAsync")] Task<TotpEnrollment> EnrollTotpAsync();

    /// <summary>Turns MFA on with the first code of the enrolled secret; returns the 10 recovery codes, once.</summary>
    [Alias("ConfirmTotpAsync")] Task<IReadOnlyList<string>> ConfirmTotpAsync(string code);

    /// <summary>Turns MFA off after checking the password and a code; revokes every other session.</summary>
    [Alias("DisableTotpAsync")] Task DisableTotpAsync(string password, string code, string keepTokenId);

    /// <summary>Turns MFA off without a code (administrators); revokes every session.</summary>
    [Alias("ResetMfaAsync")] Task ResetMfaAsync();

    /// <summary>Re-encrypts the TOTP secret under the active master key; true when it did.</summary>
    [Alias("RewrapMfaSecretAsync")] Task<bool> RewrapMfaSecretAsync();
}
