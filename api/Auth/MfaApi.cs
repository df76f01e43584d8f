using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Surveillance.Api.Audit;
using Surveillance.Api.Edge;
using Surveillance.Api.Http;
using Surveillance.Api.Telemetry;
using Surveillance.Audit;
using Surveillance.Errors;
using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>
/// <c>/auth/mfa</c>: TOTP enrollment, the second login step, and turning MFA off (API.md
/// "Multi-factor authentication"; ASVS 6.3.3, 6.5, 6.6). The codes are checked by the user grain,
/// which alone can open the sealed secret. <c>/auth/mfa/verify</c> falls under the login rate rule.
/// </summary>
public static class MfaApi
{
    /// <summary>One answer for a wrong code and an expired or used <c>mfa_token</c>.</summary>
    public const string VerifyFailed = "Incorrect code, or the multi-factor challenge expired";

    /// <summary>RFC 8176 <c>amr</c> of a login completed with a second factor.</summary>
    private static readonly string[] PasswordAndOtp = ["pwd", "otp", "mfa"];

    public static RouteGroupBuilder MapMfaApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/auth/mfa").WithTags("Authentication").WithCachePolicy(CachePolicy.NoStore).AuditAsSecurity();
        api.MapPost("/verify", VerifyAsync).AllowAnonymous().DisableAntiforgery().WithRateRule(RateRules.Login);

        // Reachable with a token whose role still waits for MFA: that is how such an account enrolls.
        var totp = api.MapGroup("/totp").RequireAuthorization().WithMetadata(new AllowWithoutMfaAttribute());
        totp.MapPost("/enroll", EnrollAsync);
        totp.MapPost("/confirm", ConfirmAsync);
        totp.MapPost("/disable", DisableAsync);
        return api;
    }

    private static async Task<Ok<TokenResponse>> VerifyAsync(
        MfaVerifyRequest? body, HttpContext http, IGrainFactory grains, TokenIssuer tokens)
    {
        body = Require.Body(body);
        var token = Require.Field(body.MfaToken, "mfa_token", MfaToken.MaxLength);
        var code = Require.Field(body.Code, "code", maxLength: 64);
        if (!MfaToken.TryParse(token, out var username, out var challenge))
        {
            throw await FailedAsync(http, grains, null, LoginFailure.MfaChallengeInvalid);
        }

        var ticket = tokens.NewTicket();
        var outcome = await grains.GetGrain<IUserGrain>(username)
            .VerifyMfaAsync(new MfaAttempt(challenge, code, ClientAddress.Of(http), ticket));
        LoginMetrics.Count(http, outcome);
        if (outcome.Profile is not { } profile)
        {
            throw await FailedAsync(http, grains, username, outcome.Failure);
        }

        http.Audit(AuditEvents.MfaSuccess, username: profile.Username);
        return TypedResults.Ok(AuthApi.SignedIn(tokens, profile, ticket, PasswordAndOtp));
    }

    // A failed second step is a failed login: the grain counted it toward the account lockout, this the per-IP count.
    private static async Task<DomainException> FailedAsync(HttpContext http, IGrainFactory grains, string? username, LoginFailure failure)
    {
        http.Audit(AuditEvents.MfaFail, username: username,
            details: new Dictionary<string, string> { ["reason"] = failure.ToString() });
        await AuthApi.CountFailedLoginAsync(http, grains);
        return new DomainException(DomainError.Unauthorized, VerifyFailed);
    }

    private static async Task<Ok<TotpEnrollResponse>> EnrollAsync(ClaimsPrincipal user, IGrainFactory grains, HttpContext http)
    {
        var enrollment = await grains.GetGrain<IUserGrain>(user.Username()).EnrollTotpAsync();
        http.Audit(AuditEvents.MfaEnroll);
        return TypedResults.Ok(new TotpEnrollResponse(enrollment.Secret, enrollment.OtpauthUri));
    }

    private static async Task<Ok<TotpConfirmResponse>> ConfirmAsync(
        TotpConfirmRequest? body, ClaimsPrincipal user, IGrainFactory grains, HttpContext http)
    {
        body = Require.Body(body);
        http.Audit(AuditEvents.MfaFail, details: new Dictionary<string, string> { ["step"] = "confirm" });
        var codes = await grains.GetGrain<IUserGrain>(user.Username()).ConfirmTotpAsync(Require.Field(body.Code, "code", maxLength: 64));
        http.Audit(AuditEvents.MfaConfirm);
        return TypedResults.Ok(new TotpConfirmResponse(codes));
    }

    private static async Task<Ok<MessageResponse>> DisableAsync(
        TotpDisableRequest? body, ClaimsPrincipal user, IGrainFactory grains, HttpContext http)
    {
        body = Require.Body(body);
        http.Audit(AuditEvents.MfaFail, details: new Dictionary<string, string> { ["step"] = "disable" });
        await grains.GetGrain<IUserGrain>(user.Username()).DisableTotpAsync(
            Require.Field(body.Password, "password", LoginForm.MaxPasswordLength),
            Require.Field(body.Code, "code", maxLength: 64),
            keepTokenId: user.TokenIdOf());
        http.Audit(AuditEvents.MfaDisable);
        return TypedResults.Ok(new MessageResponse("Multi-factor authentication disabled"));
    }
}
