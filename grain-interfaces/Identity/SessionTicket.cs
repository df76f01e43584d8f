namespace Surveillance.Identity;

/// <summary>A token issued to a user: its id (<c>jti</c>) and lifetime.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.SessionTicket")]
public sealed record SessionTicket(
    [property: Id(0)] string TokenId,
    [property: Id(1)] DateTimeOffset IssuedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt);
