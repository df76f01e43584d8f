namespace Surveillance.Api.Admin;

public sealed record CreateUserRequest(string? Username, string? Password, string? Email, IReadOnlyList<string>? Roles);

public sealed record UpdateUserRequest(string? Email, IReadOnlyList<string>? Roles, bool? IsActive);

public sealed record ResetPasswordRequest(string? NewPassword);

public sealed record UserListResponse(IReadOnlyList<Auth.UserResponse> Users);
