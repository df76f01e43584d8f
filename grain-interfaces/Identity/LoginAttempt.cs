namespace Surveillance.Identity;

/// <summary>
/// A password offered for an account, with the client IP it came from and the session to open when
/// it is right. The session is opened inside the same grain turn that checks the password and the
/// account state, so a deactivation, role change or delete cannot slip in between (issue 13).
/// <see cref="Probe"/>: the API instance's login gate is half-open and this login asks whether
/// hashing capacity is free now; it is refused (busy) at once rather than queued for it.
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.LoginAttempt")]
public sealed record LoginAttempt(
    [property: Id(0)] string Password,
    [property: Id(1)] string ClientIp,
    [property: Id(2)] SessionTicket? Ticket = null,
    [property: Id(3)] bool Probe = false);
