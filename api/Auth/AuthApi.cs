using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Surveillance.Api.Audit;
using Surveillance.Api.Edge;
using Surveillance.Api.Http;
using Surveillance.Api.Telemetry;
using Surveillance.Edge;
using Surveillance.Errors;
using Surveillance.Identity;
using Surveillance.Audit;

namespace Surveillance.Api.Auth;

/// <summary><c>/auth</c>: login, logout, the caller's profile and password change.</summary>
public static class AuthApi
{
    /// <summary>The single answer to every failed login: no user enumeration (ASVS 6.3.8).</summary>
    public const string LoginFailed = "Incorrect username or password";

    /// <summary>A key no valid username can equal; malformed names are checked against it.</summary>
    private const string UnknownUserKey = "~unknown";

    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/auth").WithTags("Authentication").WithCachePolicy(CachePolicy.NoStore).AuditAsSecurity();
        // The handler names the login's audit event (success, failure, MFA challenge).
        api.MapPost("/login", LoginAsync).AllowAnonymous().DisableAntiforgery().WithRateRule(RateRules.Login).AuditEveryRequest();
        // Also for a token still waiting for the second factor its role requires (MfaGate).
        api.MapPost("/logout", LogoutAsync).RequireAuthorization().WithMetadata(new AllowWithoutMfaAttribute())
            .WithAuditEvent(AuditEvents.TokenRevoked);
        api.MapGet("/me", GetMe).RequireAuthorization().WithMetadata(new AllowWithoutMfaAttribute());
        api.MapPost("/change-password", ChangePasswordAsync).RequireAuthorization()
            .WithAuditEvent(AuditEvents.PasswordChange, AuditEvents.PasswordChangeFail);
        return api;
    }

    private static async Task<Results<Ok<TokenResponse>, Ok<MfaChallengeResponse>, EmptyHttpResult>> LoginAsync(
        HttpContext http, IGrainFactory grains, TokenIssuer tokens, LoginGate gate, CancellationToken cancellationToken)
    {
        // While the gate is closed (but for its probe) the edge refuses logins before they get here (EdgeGuardMiddleware).
        var (username, password) = await LoginForm.ReadAsync(http.Request, cancellationToken);
        var normalized = Usernames.Normalize(username);
        var key = Usernames.IsValid(normalized) ? normalized : UnknownUserKey;
        // The grain opens this session in the turn that checks the password and the account state (issue 13).
        var ticket = tokens.NewTicket();
        var asked = Stopwatch.GetTimestamp();
        var outcome = await grains.GetGrain<IUserGrain>(key)
            .LoginAsync(new LoginAttempt(password, ClientAddress.Of(http), ticket, Probe: LoginGate.IsProbe(http)));
        if (outcome.Failure == LoginFailure.Busy)
        {
            gate.Close(outcome.RetryAfterSeconds);
            // A login that waited in the hashing queue has been held already.
            await gate.RefuseAsync(http, outcome.RetryAfterSeconds, Stopwatch.GetElapsedTime(asked));
            return TypedResults.Empty;
        }

        LoginMetrics.Count(http, outcome);
        if (outcome.MfaChallenge is { } challenge)
        {
            http.Audit(AuditEvents.MfaChallenge, username: key);
            return TypedResults.Ok(new MfaChallengeResponse(true, MfaToken.Format(key, challenge), MfaToken.LifetimeSeconds));
        }

        if (outcome.Profile is not { } profile)
        {
            // The account aimed at, when the name could be one (never free text: it may be a password typed in the wrong field).
            http.Audit(AuditEvents.LoginFail, username: key == UnknownUserKey ? null : key);
            await CountFailedLoginAsync(http, grains);
            throw new DomainException(DomainError.Unauthorized, LoginFailed);
        }

        http.Audit(AuditEvents.LoginSuccess, username: profile.Username);
        return TypedResults.Ok(SignedIn(tokens, profile, ticket, PasswordOnly));
    }

    /// <summary>RFC 8176 <c>amr</c> of a password-only login.</summary>
    internal static readonly string[] PasswordOnly = ["pwd"];

    /// <summary>The body of every completed login (one step, or the second of two).</summary>
    internal static TokenResponse SignedIn(TokenIssuer tokens, UserProfile profile, SessionTicket ticket, IReadOnlyList<string> methods) =>
        new(tokens.Sign(profile, ticket, methods), "bearer", tokens.LifetimeSeconds,
            new LoginUser(profile.Username, profile.Email, profile.Roles));

    /// <summary>Failed logins also count against the client IP: 20 in an hour block it (API.md).</summary>
    internal static async Task CountFailedLoginAsync(HttpContext http, IGrainFactory grains)
    {
        var ip = ClientAddress.KeyOf(http);
        if (await grains.GetGrain<IClientIpGrain>(ip).RecordFailedLoginAsync() is { } block)
        {
            http.RequestServices.GetRequiredService<AdmissionCache>().Blocked(ip, block);
        }
    }

    private static async Task<Ok<MessageResponse>> LogoutAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        await grains.GetGrain<IUserSessionsGrain>(user.Username()).RevokeAsync(user.TokenIdOf());
        return TypedResults.Ok(new MessageResponse("Successfully logged out"));
    }

    // The profile came with the session check (SessionCache), which the user grain's changes recall.
    private static Ok<UserResponse> GetMe(HttpContext http)
    {
        var profile = SessionProfile.Of(http)
            ?? throw new DomainException(DomainError.Unauthorized, "The account no longer exists.");
        return TypedResults.Ok(UserResponse.From(profile));
    }

    private static async Task<Ok<MessageResponse>> ChangePasswordAsync(
        ChangePasswordRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        body = Require.Body(body);
        await grains.GetGrain<IUserGrain>(user.Username()).ChangePasswordAsync(
            Require.Field(body.OldPassword, "old_password", LoginForm.MaxPasswordLength),
            Require.Field(body.NewPassword, "new_password", LoginForm.MaxPasswordLength),
            keepTokenId: user.TokenIdOf());
        return TypedResults.Ok(new MessageResponse("Password updated successfully"));
    }
}
