namespace Surveillance.Identity;

/// <summary>A partial update by an administrator; null members stay as they are.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.UserPatch")]
public sealed record UserPatch(
    [property: Id(0)] string? Email,
    [property: Id(1)] IReadOnlyList<string>? Roles,
    [property: Id(2)] bool? IsActive);
