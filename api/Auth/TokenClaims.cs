using System.Security.Claims;

namespace Surveillance.Api.Auth;

/// <summary>Claim names of our JWTs (RFC 7519 registered names plus <c>roles</c>, <c>email</c> and RFC 8176 <c>amr</c>).</summary>
public static class TokenClaims
{
    public const string Subject = "sub";
    public const string TokenId = "jti";
    public const string Roles = "roles";
    public const string Email = "email";

    /// <summary>RFC 8176 authentication methods: <c>pwd</c>, plus <c>otp</c> and <c>mfa</c> after a second factor.</summary>
    public const string AuthenticationMethods = "amr";

    public static string Username(this ClaimsPrincipal user) =>
        user.FindFirst(Subject)?.Value ?? throw new InvalidOperationException("An authenticated principal without 'sub'.");

    public static string TokenIdOf(this ClaimsPrincipal user) =>
        user.FindFirst(TokenId)?.Value ?? throw new InvalidOperationException("An authenticated principal without 'jti'.");
}
