using Surveillance.Identity;

namespace Surveillance.Api.Auth;

public sealed record LoginRequest(string? Username, string? Password, string? GrantType);

public sealed record ChangePasswordRequest(string? OldPassword, string? NewPassword);

public sealed record MessageResponse(string Message);

public sealed record LoginUser(string Username, string Email, IReadOnlyList<string> Roles);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, LoginUser User);

/// <summary>A user as the API shows it (never the password hash).</summary>
public sealed record UserResponse(
    string Username,
    string Email,
    IReadOnlyList<string> Roles,
    bool IsActive,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLogin)
{
    public static UserResponse From(UserProfile profile) =>
        new(profile.Username, profile.Email, profile.Roles, profile.IsActive, profile.CreatedAt, profile.LastLogin);
}
