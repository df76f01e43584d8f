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
}
