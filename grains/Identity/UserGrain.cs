using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Surveillance.Errors;
using Surveillance.Telemetry;

namespace Surveillance.Identity;

/// <summary>
/// One account. Logins open their session inside the same turn that checks the password and the
/// account state, so every later deactivation, role change or delete (also turns of this grain)
/// revokes it: no token outlives the account state it was issued for. The second factor lives in
/// <c>UserGrain.Mfa.cs</c>.
/// </summary>
public sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Main)] IPersistentState<UserState> state,
    PasswordHasher hasher,
    Edge.LoginPressure pressure,
    MfaSecretCipher mfaCipher,
    IOptions<LockoutOptions> lockoutOptions,
    TimeProvider clock,
    SurveillanceMetrics metrics,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private readonly LockoutOptions _lockout = lockoutOptions.Value;
    private readonly StateWrites _writes = new(() => state.WriteStateAsync(), logger);
    private readonly MfaChallenges _challenges = new(clock);
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
        await _writes.WriteAsync();
        return state.State.ToProfile();
    }

    public async Task<LoginOutcome> LoginAsync(LoginAttempt attempt)
    {
        if (!state.RecordExists)
        {
            return await hasher.TrySpendDecoyWorkAsync(attempt.Password, mayWait: !attempt.Probe) is { Refused: true } unknownRefused
                ? Busy(unknownRefused.RetryAfter)
                : LoginOutcome.Failed(LoginFailure.UnknownUser);
        }

        var now = clock.GetUtcNow();
        var user = state.State;
        if (user.Lockout.RefusesLoginFrom(attempt.ClientIp, now, _lockout))
        {
            // The password is not checked while locked, but the same work is spent.
            return await hasher.TrySpendDecoyWorkAsync(attempt.Password, mayWait: !attempt.Probe) is { Refused: true } lockedRefused
                ? Busy(lockedRefused.RetryAfter)
                : LoginOutcome.Failed(LoginFailure.Locked);
        }

        var check = await hasher.TryVerifyAsync(attempt.Password, user.PasswordHash, mayWait: !attempt.Probe);
        if (check.Refused)
        {
            return Busy(check.RetryAfter);
        }

        if (!check.Value)
        {
            user.Lockout.RecordFailure(now, _lockout);
            CountLockout(user.Lockout, now);
            // Not awaited: unknown and locked accounts answer without a write (StateWrites).
            _writes.WriteLater();
            return LoginOutcome.Failed(LoginFailure.WrongPassword);
        }

        if (!user.IsActive)
        {
            return LoginOutcome.Failed(LoginFailure.Inactive);
        }

        // Within the budget or not at all: a refused rehash waits for a later login.
        if (hasher.NeedsRehash(user.PasswordHash) && await hasher.TryHashAsync(attempt.Password) is { Ran: true, Value: { } rehashed })
        {
            user.PasswordHash = rehashed;
        }

        if (user.Mfa.Enabled)
        {
            // The lockout is reset only by a complete login: a known password must not buy fresh code guesses.
            return LoginOutcome.SecondFactorRequired(_challenges.Issue());
        }

        return await CompleteLoginAsync(attempt.ClientIp, attempt.Ticket, now);
    }

    /// <summary>
    /// Refused by the hashing budget: the attempt was not checked, so it counts for nothing against the
    /// account; it does count as login pressure (a storm refused by the budget is still a storm).
    /// </summary>
    private LoginOutcome Busy(TimeSpan retryAfter)
    {
        pressure.RecordFailedLogin(clock.GetUtcNow());
        return LoginOutcome.Busy(retryAfter);
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
        await _writes.WriteAsync();
        if (revokeSessions)
        {
            _challenges.Clear();
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
        _challenges.Clear();
        await Sessions.RevokeAllAsync(exceptTokenId: null);
        await _writes.DrainAsync();
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _writes.DrainAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>
    /// The end of every successful login: resets the lockout, records the login, and opens the session
    /// in this same turn (issue 13: a revocation cannot land between the check and the session).
    /// </summary>
    private async Task<LoginOutcome> CompleteLoginAsync(string clientIp, SessionTicket? ticket, DateTimeOffset now)
    {
        var user = state.State;
        user.Lockout.RecordSuccess(clientIp, now, _lockout);
        user.LastLogin = now;
        await _writes.WriteAsync();
        if (ticket is not null)
        {
            await Sessions.OpenAsync(ticket);
        }

        return LoginOutcome.Success(user.ToProfile());
    }

    private async Task SetPasswordAsync(string newPassword)
    {
        PasswordPolicy.Enforce(Username, newPassword);
        state.State.PasswordHash = await hasher.HashAsync(newPassword);
        _challenges.Clear();
        await _writes.WriteAsync();
    }

    private UserState RequireExisting() =>
        state.RecordExists ? state.State : throw DomainException.NotFound($"No user '{Username}'.");
}
