using System.Security.Claims;

namespace Surveillance.Api.Auth;

/// <summary>Claim names of our JWTs (RFC 7519 registered names plus <c>roles</c> and <c>email</c>).</summary>
public static class TokenClaims
{
    public const string Subject = "sub";
    public const string TokenId = "jti";
    public const string Roles = "roles";
    public const string Email = "email";

    public static string Username(this ClaimsPrincipal user) =>
        user.FindFirst(Subject)?.Value ?? throw new InvalidOperationException("An authenticated principal without 'sub'.");

    public static string TokenIdOf(this ClaimsPrincipal user) =>
        user.FindFirst(TokenId)?.Value ?? throw new InvalidOperationException("An authenticated principal without 'jti'.");
}
