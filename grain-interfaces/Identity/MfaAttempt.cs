namespace Surveillance.Identity;

/// <summary>
/// The second step of a login: the challenge the password step returned, a TOTP or recovery code,
/// the client IP, and the session to open when the code is right.
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.MfaAttempt")]
public sealed record MfaAttempt(
    [property: Id(0)] string Challenge,
    [property: Id(1)] string Code,
    [property: Id(2)] string ClientIp,
    [property: Id(3)] SessionTicket? Ticket);
