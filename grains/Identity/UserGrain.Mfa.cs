using Surveillance.Errors;

namespace Surveillance.Identity;

/// <summary>The TOTP factor of the account (ASVS 6.3.3, 6.5, 6.6; API.md "Multi-factor authentication").</summary>
public sealed partial class UserGrain
{
    public async Task<LoginOutcome> VerifyMfaAsync(MfaAttempt attempt)
    {
        if (!state.RecordExists || !_challenges.IsLive(attempt.Challenge))
        {
            return LoginOutcome.Failed(LoginFailure.MfaChallengeInvalid);
        }

        var now = clock.GetUtcNow();
        var user = state.State;
        if (user.Lockout.RefusesLoginFrom(attempt.ClientIp, now, _lockout))
        {
            _challenges.Consume(attempt.Challenge);
            return LoginOutcome.Failed(LoginFailure.Locked);
        }

        if (!user.IsActive || !user.Mfa.Enabled)
        {
            _challenges.Consume(attempt.Challenge);
            return LoginOutcome.Failed(LoginFailure.Inactive);
        }

        if (!AcceptCode(user.Mfa, attempt.Code, now))
        {
            // A wrong second factor is a failed login: it counts toward the lockout like a wrong password.
            user.Lockout.RecordFailure(now, _lockout);
            CountLockout(user.Lockout, now);
            _challenges.RecordWrongCode(attempt.Challenge);
            _writes.WriteLater();
            return LoginOutcome.Failed(LoginFailure.WrongMfaCode);
        }

        _challenges.Consume(attempt.Challenge);
        // Persists the used step or recovery code before the session exists: no replay after a restart.
        return await CompleteLoginAsync(attempt.ClientIp, attempt.Ticket, now);
    }

    public async Task<TotpEnrollment> EnrollTotpAsync()
    {
        var user = RequireExisting();
        if (user.Mfa.Enabled)
        {
            throw DomainException.Conflict("Multi-factor authentication is already on; disable it first.");
        }

        var (secret, base32) = TotpCodes.NewSecret();
        user.Mfa = new UserMfa { Secret = mfaCipher.Seal(secret, Username), LastAcceptedStep = user.Mfa.LastAcceptedStep };
        await _writes.WriteAsync();
        return new TotpEnrollment(base32, TotpCodes.OtpauthUri(Username, base32));
    }

    public async Task<IReadOnlyList<string>> ConfirmTotpAsync(string code)
    {
        var user = RequireExisting();
        if (user.Mfa.Enabled)
        {
            throw DomainException.Conflict("Multi-factor authentication is already on.");
        }

        if (user.Mfa.Secret is null)
        {
            throw DomainException.Conflict("There is no enrollment to confirm: enroll first.");
        }

        if (!AcceptTotp(user.Mfa, code, clock.GetUtcNow()))
        {
            throw DomainException.Validation("The code is not valid for the enrolled secret.");
        }

        var recoveryCodes = RecoveryCodes.Generate();
        user.Mfa.RecoveryCodeHashes = recoveryCodes.Select(RecoveryCodes.Hash).ToList();
        user.Mfa.Enabled = true;
        await _writes.WriteAsync();
        await Sessions.ProfileChangedAsync();
        return recoveryCodes;
    }

    public async Task DisableTotpAsync(string password, string code, string keepTokenId)
    {
        var user = RequireExisting();
        if (!user.Mfa.Enabled)
        {
            throw DomainException.Conflict("Multi-factor authentication is not on.");
        }

        var now = clock.GetUtcNow();
        if (!await hasher.VerifyAsync(password, user.PasswordHash) || !AcceptCode(user.Mfa, code, now))
        {
            // A stolen token must not become an unlimited oracle for the password or the code.
            user.Lockout.RecordFailure(now, _lockout);
            CountLockout(user.Lockout, now);
            _writes.WriteLater();
            throw DomainException.Validation("Incorrect password or code");
        }

        user.Mfa = new UserMfa { LastAcceptedStep = user.Mfa.LastAcceptedStep };
        await _writes.WriteAsync();
        await Sessions.RevokeAllAsync(keepTokenId);
    }

    public async Task ResetMfaAsync()
    {
        var user = RequireExisting();
        user.Mfa = new UserMfa { LastAcceptedStep = user.Mfa.LastAcceptedStep };
        _challenges.Clear();
        await _writes.WriteAsync();
        await Sessions.RevokeAllAsync(exceptTokenId: null);
    }

    public async Task<bool> RewrapMfaSecretAsync()
    {
        if (!state.RecordExists || state.State.Mfa.Secret is not { } sealedSecret || sealedSecret.MasterKeyId == mfaCipher.ActiveKeyId)
        {
            return false;
        }

        state.State.Mfa.Secret = mfaCipher.Seal(mfaCipher.Open(sealedSecret, Username), Username);
        await _writes.WriteAsync();
        return true;
    }

    /// <summary>A TOTP code (six digits) or else a recovery code, each accepted once.</summary>
    private bool AcceptCode(UserMfa mfa, string code, DateTimeOffset now) =>
        TotpCodes.LooksLikeTotp(code) ? AcceptTotp(mfa, code, now) : RecoveryCodes.TryConsume(mfa.RecoveryCodeHashes, code);

    // RFC 6238 §5.2: a code must not be accepted twice; steps at or before the last accepted one are refused.
    private bool AcceptTotp(UserMfa mfa, string code, DateTimeOffset now)
    {
        if (mfa.Secret is null || TotpCodes.MatchStep(mfaCipher.Open(mfa.Secret, Username), code, now) is not { } step
            || step <= mfa.LastAcceptedStep)
        {
            return false;
        }

        mfa.LastAcceptedStep = step;
        return true;
    }
}
