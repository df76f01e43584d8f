namespace Surveillance.Identity;

/// <summary>A password offered for an account, with the client IP it came from.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.LoginAttempt")]
public sealed record LoginAttempt(
    [property: Id(0)] string Password,
    [property: Id(1)] string ClientIp);
