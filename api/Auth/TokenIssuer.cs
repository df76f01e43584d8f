using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>Issues HS256 JWTs carrying <c>sub, exp, iat, nbf, jti, iss, aud, roles, email</c>.</summary>
public sealed class TokenIssuer(IOptions<JwtOptions> options, TimeProvider clock)
{
    private readonly JwtOptions _options = options.Value;
    private readonly SigningCredentials _credentials =
        new(new SymmetricSecurityKey(options.Value.KeyBytes), SecurityAlgorithms.HmacSha256);
    private readonly JsonWebTokenHandler _handler = new();

    public int LifetimeSeconds => _options.TokenLifetimeSeconds;

    public (string Token, SessionTicket Ticket) Issue(UserProfile user)
    {
        var now = clock.GetUtcNow();
        var ticket = new SessionTicket(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            now,
            now.AddSeconds(_options.TokenLifetimeSeconds));
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = ticket.ExpiresAt.UtcDateTime,
            SigningCredentials = _credentials,
            Claims = new Dictionary<string, object>
            {
                [TokenClaims.Subject] = user.Username,
                [TokenClaims.TokenId] = ticket.TokenId,
                [TokenClaims.Roles] = user.Roles.ToArray(),
                [TokenClaims.Email] = user.Email,
            },
        });
        return (token, ticket);
    }
}
