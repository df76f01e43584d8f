using Microsoft.Extensions.Options;
using Surveillance.Errors;

namespace Surveillance.Identity;

public sealed class UserGrain(
    [PersistentState("user", StorageNames.Main)] IPersistentState<UserState> state,
    PasswordHasher hasher,
    IOptions<LockoutOptions> lockoutOptions,
    TimeProvider clock) : Grain, IUserGrain
{
    private readonly LockoutOptions _lockout = lockoutOptions.Value;
    private string Username => this.GetPrimaryKeyString();
    private IUserSessionsGrain Sessions => GrainFactory.GetGrain<IUserSessionsGrain>(Username);

    public Task<UserProfile?> GetAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToProfile() : null);

    public async Task<UserProfile> CreateAsync(NewUser user)
    {
        if (state.RecordExists)
        {
            throw DomainException.Conflict($"The username '{Username}' is taken.");
        }

        PasswordPolicy.Enforce(Username, user.Password);
        state.State = new UserState
        {
            Username = Username,
            Email = AccountRules.NormalizeEmail(user.Email),
            Roles = AccountRules.NormalizeRoles(user.Roles),
            PasswordHash = await hasher.HashAsync(user.Password),
            IsActive = true,
            CreatedAt = clock.GetUtcNow(),
        };
        await state.WriteStateAsync();
        return state.State.ToProfile();
    }

    public async Task<LoginOutcome> LoginAsync(LoginAttempt attempt)
    {
        if (!state.RecordExists)
        {
            await hasher.SpendDecoyWorkAsync(attempt.Password);
            return LoginOutcome.Failed(LoginFailure.UnknownUser);
        }

        var now = clock.GetUtcNow();
        var user = state.State;
        if (user.Lockout.RefusesLoginFrom(attempt.ClientIp, now, _lockout))
        {
            // The password is not checked while locked, but the same work is spent.
            await hasher.SpendDecoyWorkAsync(attempt.Password);
            return LoginOutcome.Failed(LoginFailure.Locked);
        }

        if (!await hasher.VerifyAsync(attempt.Password, user.PasswordHash))
        {
            user.Lockout.RecordFailure(now, _lockout);
            await state.WriteStateAsync();
            return LoginOutcome.Failed(LoginFailure.WrongPassword);
        }

        if (!user.IsActive)
        {
            return LoginOutcome.Failed(LoginFailure.Inactive);
        }

        if (hasher.NeedsRehash(user.PasswordHash))
        {
            user.PasswordHash = await hasher.HashAsync(attempt.Password);
        }

        user.Lockout.RecordSuccess(attempt.ClientIp, now, _lockout);
        user.LastLogin = now;
        await state.WriteStateAsync();
        return LoginOutcome.Success(user.ToProfile());
    }

    public async Task ChangePasswordAsync(string oldPassword, string newPassword, string keepTokenId)
    {
        var user = RequireExisting();
        if (!await hasher.VerifyAsync(oldPassword, user.PasswordHash))
        {
            throw DomainException.Validation("Incorrect current password");
        }

        await SetPasswordAsync(newPassword);
        await Sessions.RevokeAllAsync(keepTokenId);
    }

    public async Task ResetPasswordAsync(string newPassword)
    {
        RequireExisting();
        await SetPasswordAsync(newPassword);
        await Sessions.RevokeAllAsync(exceptTokenId: null);
    }

    public async Task<UserProfile> UpdateAsync(UserPatch patch)
    {
        var user = RequireExisting();
        var roles = patch.Roles is null ? user.Roles : AccountRules.NormalizeRoles(patch.Roles);
        var email = patch.Email is null ? user.Email : AccountRules.NormalizeEmail(patch.Email);
        var isActive = patch.IsActive ?? user.IsActive;

        // Sessions carry the roles and the active flag they were issued with: both changes end them.
        var revokeSessions = !roles.SequenceEqual(user.Roles) || (user.IsActive && !isActive);
        user.Roles = roles;
        user.Email = email;
        user.IsActive = isActive;
        await state.WriteStateAsync();
        if (revokeSessions)
        {
            await Sessions.RevokeAllAsync(exceptTokenId: null);
        }
        else
        {
            // API instances cache the profile with the session lease (GET /auth/me): they must show the new one.
            await Sessions.ProfileChangedAsync();
        }

        return user.ToProfile();
    }

    public async Task DeleteAsync()
    {
        RequireExisting();
        await Sessions.RevokeAllAsync(exceptTokenId: null);
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    private async Task SetPasswordAsync(string newPassword)
    {
        PasswordPolicy.Enforce(Username, newPassword);
        state.State.PasswordHash = await hasher.HashAsync(newPassword);
        await state.WriteStateAsync();
    }

    private UserState RequireExisting() =>
        state.RecordExists ? state.State : throw DomainException.NotFound($"No user '{Username}'.");
}
