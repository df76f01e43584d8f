using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>Issues HS256 JWTs carrying <c>sub, exp, iat, nbf, jti, iss, aud, roles, email, amr</c>.</summary>
public sealed class TokenIssuer(IOptions<JwtOptions> options, TimeProvider clock)
{
    private readonly JwtOptions _options = options.Value;
    private readonly SigningCredentials _credentials =
        new(new SymmetricSecurityKey(options.Value.KeyBytes), SecurityAlgorithms.HmacSha256);
    private readonly JsonWebTokenHandler _handler = new();

    public int LifetimeSeconds => _options.TokenLifetimeSeconds;

    /// <summary>
    /// The id and lifetime of a token about to be issued. The user grain opens the session for it in the
    /// turn that checks the credentials; only then is the token signed (<see cref="Sign"/>).
    /// </summary>
    public SessionTicket NewTicket()
    {
        var now = clock.GetUtcNow();
        return new SessionTicket(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            now,
            now.AddSeconds(_options.TokenLifetimeSeconds));
    }

    /// <summary>Signs the token of <paramref name="ticket"/>; <paramref name="methods"/> is its RFC 8176 <c>amr</c>.</summary>
    public string Sign(UserProfile user, SessionTicket ticket, IReadOnlyList<string> methods) =>
        _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = ticket.IssuedAt.UtcDateTime,
            NotBefore = ticket.IssuedAt.UtcDateTime,
            Expires = ticket.ExpiresAt.UtcDateTime,
            SigningCredentials = _credentials,
            Claims = new Dictionary<string, object>
            {
                [TokenClaims.Subject] = user.Username,
                [TokenClaims.TokenId] = ticket.TokenId,
                [TokenClaims.Roles] = user.Roles.ToArray(),
                [TokenClaims.Email] = user.Email,
                [TokenClaims.AuthenticationMethods] = methods.ToArray(),
            },
        });
}
