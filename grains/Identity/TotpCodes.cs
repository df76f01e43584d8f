using OtpNet;

namespace Surveillance.Identity;

/// <summary>
/// TOTP as API.md fixes it (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, one step either side
/// accepted for clock drift), through Otp.NET rather than a hand-written HMAC truncation.
/// </summary>
public static class TotpCodes
{
    public const string Issuer = "Surveillance";

    /// <summary>160 bits, the HMAC-SHA1 block RFC 4226 recommends.</summary>
    private const int SecretBytes = 20;

    private static readonly VerificationWindow Window = new(previous: 1, future: 1);

    public static (byte[] Secret, string Base32) NewSecret()
    {
        var secret = KeyGeneration.GenerateRandomKey(SecretBytes);
        return (secret, Base32Encoding.ToString(secret));
    }

    /// <summary><c>otpauth://totp/Surveillance:{username}?secret=…&amp;issuer=Surveillance</c> (API.md).</summary>
    public static string OtpauthUri(string username, string base32) =>
        $"otpauth://totp/{Issuer}:{Uri.EscapeDataString(username)}?secret={base32}&issuer={Issuer}";

    /// <summary>Six ASCII digits: anything else is not a TOTP code (it may be a recovery code).</summary>
    public static bool LooksLikeTotp(string code) => code.Length == 6 && code.All(char.IsAsciiDigit);

    /// <summary>The time step the code belongs to, when it is valid at <paramref name="now"/> ±1 step; else null.</summary>
    public static long? MatchStep(byte[] secret, string code, DateTimeOffset now) =>
        LooksLikeTotp(code) && new Totp(secret).VerifyTotp(now.UtcDateTime, code, out var step, Window) ? step : null;
}
