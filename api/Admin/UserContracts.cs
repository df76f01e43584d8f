namespace Surveillance.Api.Admin;

public sealed record CreateUserRequest(string? Username, string? Password, string? Email, IReadOnlyList<string>? Roles);

public sealed record UpdateUserRequest(string? Email, IReadOnlyList<string>? Roles, bool? IsActive);

public sealed record ResetPasswordRequest(string? NewPassword);

public sealed record UserListResponse(IReadOnlyList<AdminUserResponse> Users);

/// <summary>A user as administrators see it: the profile and whether MFA is on (never the secret).</summary>
public sealed record AdminUserResponse(
    string Username,
    string Email,
    IReadOnlyList<string> Roles,
    bool IsActive,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLogin,
    bool MfaEnabled)
{
    public static AdminUserResponse From(Identity.UserProfile profile) =>
        new(profile.Username, profile.Email, profile.Roles, profile.IsActive, profile.CreatedAt, profile.LastLogin, profile.MfaEnabled);
}
