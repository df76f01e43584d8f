namespace Surveillance.Identity;

/// <summary>
/// A new TOTP secret (base32) and its <c>otpauth://</c> URI. Shown once, at enrollment; the grain
/// keeps the secret only encrypted under the master key and never returns it again.
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.TotpEnrollment")]
public sealed record TotpEnrollment(
    [property: Id(0)] string Secret,
    [property: Id(1)] string OtpauthUri);
