namespace Surveillance.Identity;

/// <summary>A user as others may see it: never the password hash nor the TOTP secret.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.UserProfile")]
public sealed record UserProfile(
    [property: Id(0)] string Username,
    [property: Id(1)] string Email,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] bool IsActive,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? LastLogin,
    [property: Id(6)] bool MfaEnabled = false)
{
    public bool IsAdmin => Roles.Contains(Identity.Roles.Admin);
}
