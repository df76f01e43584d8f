using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Surveillance.Api.Errors;
using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>Marks an endpoint that a token without the required second factor may still use (API.md).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class AllowWithoutMfaAttribute : Attribute;

/// <summary>
/// <c>Auth:RequireMfaForRoles</c> at the door: a token of such an account that was not issued after a
/// second factor reaches only <c>/auth/me</c>, <c>/auth/logout</c> and <c>/auth/mfa/totp/*</c> (the
/// endpoints marked <see cref="AllowWithoutMfaAttribute"/>); everything else answers 403
/// <c>MFA_REQUIRED</c>. Decided per token (its <c>amr</c>), so enrolling does not upgrade the token
/// that enrolled: the user logs in again with the new factor.
/// </summary>
public sealed class MfaGate(RequestDelegate next, IOptions<MfaOptions> options)
{
    /// <summary>Set on a request whose token still lacks the second factor its account requires.</summary>
    private sealed class MfaPending
    {
        public static readonly MfaPending Instance = new();
    }

    /// <summary>Called by the token check, which has the account's current profile at hand.</summary>
    public static void Assess(HttpContext context, ClaimsPrincipal principal, UserProfile profile)
    {
        var mfa = context.RequestServices.GetRequiredService<IOptions<MfaOptions>>().Value;
        if (mfa.Requires(profile) && !principal.HasClaim(TokenClaims.AuthenticationMethods, "mfa"))
        {
            context.Features.Set(MfaPending.Instance);
        }
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (options.Value.RequireMfaForRoles is { Length: > 0 }
            && context.Features.Get<MfaPending>() is not null
            && metadata?.GetMetadata<AllowWithoutMfaAttribute>() is null
            && metadata?.GetMetadata<IAllowAnonymous>() is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.MfaRequired, ProblemMessages.MfaRequired);
            return;
        }

        await next(context);
    }
}
