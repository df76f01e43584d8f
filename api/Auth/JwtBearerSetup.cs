using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Surveillance.Api.Errors;
using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>
/// Token validation: the signature with our key, <c>alg</c> pinned to HS256 (so <c>none</c> and
/// algorithm-confusion tokens fail), <c>iss</c>, <c>aud</c>, <c>exp</c> and <c>nbf</c> checked, and
/// finally the <c>jti</c> looked up among the user's live sessions — in this instance's lease of them
/// (<see cref="SessionCache"/>), which the session grain recalls before any revocation returns, so that
/// logout and every other revocation hold on all API instances at once without a grain call per request.
/// </summary>
public sealed class JwtBearerSetup(IOptions<JwtOptions> jwt) : IConfigureNamedOptions<JwtBearerOptions>
{
    /// <summary>A token larger than this is refused before it is parsed.</summary>
    public const int MaxTokenBytes = 8 * 1024;

    public void Configure(JwtBearerOptions options) => Configure(JwtBearerDefaults.AuthenticationScheme, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        var settings = jwt.Value;
        options.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new JsonWebTokenHandler { MaximumTokenSizeInBytes = MaxTokenBytes });
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = new SymmetricSecurityKey(settings.KeyBytes),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(5),
            NameClaimType = TokenClaims.Subject,
            RoleClaimType = TokenClaims.Roles,
        };
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = RejectRevokedAsync,
            OnChallenge = ChallengeAsync,
            OnForbidden = ForbidAsync,
        };
    }

    // ASVS 7.4.1: a logged-out or otherwise revoked token must be refused server-side. A cluster
    // fault thrown here is not swallowed by the handler: it surfaces as 503, not as 401.
    private static async Task RejectRevokedAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var username = principal.FindFirst(TokenClaims.Subject)?.Value;
        var tokenId = principal.FindFirst(TokenClaims.TokenId)?.Value;
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(tokenId) || !Usernames.IsValid(username))
        {
            context.Fail("The token lacks a valid subject or token id.");
            return;
        }

        var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionCache>();
        var check = await sessions.CheckAsync(username, tokenId);
        if (!check.IsActive)
        {
            context.Fail("The token has been revoked.");
            return;
        }

        // Issue 13: whatever raced the login, a token is good only for the account as it is now.
        if (check.Profile is not { IsActive: true } profile || !SameRoles(principal, profile))
        {
            context.Fail("The account is gone, inactive, or its roles changed since the token was issued.");
            return;
        }

        SessionProfile.Set(context.HttpContext, profile);
        MfaGate.Assess(context.HttpContext, principal, profile);
    }

    private static bool SameRoles(System.Security.Claims.ClaimsPrincipal principal, UserProfile profile) =>
        principal.FindAll(TokenClaims.Roles).Select(c => c.Value).ToHashSet(StringComparer.Ordinal).SetEquals(profile.Roles);

    private static async Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var http = context.HttpContext;
        http.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
            ? "Bearer"
            : "Bearer error=\"invalid_token\"";
        await Problems.WriteAsync(http, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, context.AuthenticateFailure is null
            ? ProblemMessages.AuthenticationRequired
            : ProblemMessages.InvalidToken);
    }

    private static Task ForbidAsync(ForbiddenContext context) =>
        Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, ProblemMessages.RolesForbid);
}
