namespace Surveillance.Identity;

/// <summary>What an administrator supplies to create an account.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.NewUser")]
public sealed record NewUser(
    [property: Id(0)] string Username,
    [property: Id(1)] string Password,
    [property: Id(2)] string Email,
    [property: Id(3)] IReadOnlyList<string> Roles);
