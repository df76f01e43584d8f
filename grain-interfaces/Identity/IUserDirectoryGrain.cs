using Orleans.Concurrency;

namespace Surveillance.Identity;

/// <summary>
/// The one index of all accounts (key 0). Creating, patching and deleting users pass through it,
/// one at a time, so the "never remove the last active admin" rule cannot be raced.
/// </summary>
[Alias("surveillance.IUserDirectoryGrain")]
public interface IUserDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Creates a user; a <see cref="Errors.DomainError.Conflict"/> if the name is taken.</summary>
    [Alias("CreateUserAsync")] Task<UserProfile> CreateUserAsync(NewUser user);

    /// <summary>Patches a user, refusing to leave the system without an active admin.</summary>
    [Alias("UpdateUserAsync")] Task<UserProfile> UpdateUserAsync(string username, UserPatch patch);

    /// <summary>Deletes a user, refusing to delete the last active admin.</summary>
    [Alias("DeleteUserAsync")] Task DeleteUserAsync(string username);

    /// <summary>All usernames, sorted.</summary>
    [Alias("ListUsernamesAsync"), ReadOnly] Task<IReadOnlyList<string>> ListUsernamesAsync();

    /// <summary>
    /// Creates the first administrator when no account exists yet.
    /// Returns true when it did; false when accounts already existed.
    /// </summary>
    [Alias("EnsureBootstrapAdminAsync")] Task<bool> EnsureBootstrapAdminAsync(NewUser admin);
}
