using Surveillance.Errors;
using Surveillance.Videos;

namespace Surveillance.Identity;

public sealed class UserDirectoryGrain(
    [PersistentState("directory", StorageNames.Main)] IPersistentState<UserDirectoryState> state)
    : Grain, IUserDirectoryGrain
{
    private Dictionary<string, bool> Users => state.State.IsActiveAdminByUsername;

    public async Task<UserProfile> CreateUserAsync(NewUser user)
    {
        var username = AccountRules.RequireValidUsername(user.Username);
        if (Users.ContainsKey(username))
        {
            throw DomainException.Conflict($"The username '{username}' is taken.");
        }

        var profile = await User(username).CreateAsync(user with { Username = username });
        await RecordAsync(profile);
        return profile;
    }

    public async Task<UserProfile> UpdateUserAsync(string username, UserPatch patch)
    {
        RequireKnown(username);
        var current = await User(username).GetAsync()
            ?? throw DomainException.NotFound($"No user '{username}'.");
        var staysActiveAdmin = (patch.IsActive ?? current.IsActive)
            && (patch.Roles is null ? current.IsAdmin : AccountRules.NormalizeRoles(patch.Roles).Contains(Roles.Admin));
        if (!staysActiveAdmin)
        {
            RefuseToRemoveLastAdmin(username, "deactivated or demoted");
        }

        var profile = await User(username).UpdateAsync(patch);
        await RecordAsync(profile);
        return profile;
    }

    public async Task DeleteUserAsync(string username)
    {
        RequireKnown(username);
        RefuseToRemoveLastAdmin(username, "deleted");
        if (await User(username).GetAsync() is not null)
        {
            await User(username).DeleteAsync();
        }

        // Memberships name users, and a name can be taken again: a new account with this name must
        // not inherit the deleted one's projects. Swept after the account is gone, so a membership
        // added concurrently (AddMemberAsync checks that the user exists, in the project's turn) is
        // either refused or already there to be swept; and before the name is released, so no new
        // account with it exists yet. A retry after a crash mid-way finishes the sweep.
        await RemoveFromEveryProjectAsync(username);
        Users.Remove(username);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListUsernamesAsync() =>
        Task.FromResult<IReadOnlyList<string>>(Users.Keys.Order(StringComparer.Ordinal).ToList());

    public async Task<bool> EnsureBootstrapAdminAsync(NewUser admin)
    {
        if (Users.Count > 0)
        {
            return false;
        }

        await CreateUserAsync(admin with { Roles = [Roles.Admin] });
        return true;
    }

    private void RequireKnown(string username)
    {
        if (!Users.ContainsKey(username))
        {
            throw DomainException.NotFound($"No user '{username}'.");
        }
    }

    private void RefuseToRemoveLastAdmin(string username, string action)
    {
        if (Users[username] && Users.Count(u => u.Value) == 1)
        {
            throw DomainException.Conflict($"'{username}' is the last active admin and cannot be {action}.");
        }
    }

    private async Task RecordAsync(UserProfile profile)
    {
        Users[profile.Username] = profile.IsActive && profile.IsAdmin;
        await state.WriteStateAsync();
    }

    private async Task RemoveFromEveryProjectAsync(string username)
    {
        var projectIds = await GrainFactory.GetGrain<IProjectDirectoryGrain>(0).ListAsync();
        foreach (var batch in projectIds.Chunk(64))
        {
            await Task.WhenAll(batch.Select(id => GrainFactory.GetGrain<IProjectGrain>(id).RemoveMemberAsync(username)));
        }
    }

    private IUserGrain User(string username) => GrainFactory.GetGrain<IUserGrain>(username);
}
