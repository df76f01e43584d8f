using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>
/// The <c>mfa_token</c> of a two-step login: <c>{username}.{challenge}</c>. The challenge is 256
/// random bits that only the user grain can check (it keeps their hash for 300 s), so the token
/// needs no signature; the username only says which grain to ask.
/// </summary>
public static class MfaToken
{
    public const int LifetimeSeconds = 300;
    public const int MaxLength = Usernames.MaxLength + 1 + 64;

    public static string Format(string username, string challenge) => $"{username}.{challenge}";

    public static bool TryParse(string token, out string username, out string challenge)
    {
        var dot = token.LastIndexOf('.');
        username = dot > 0 ? token[..dot] : "";
        challenge = dot > 0 ? token[(dot + 1)..] : "";
        return Usernames.IsValid(username) && challenge.Length is > 0 and <= 64;
    }
}
