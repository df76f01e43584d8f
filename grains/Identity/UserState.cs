namespace Surveillance.Identity;

/// <summary>
/// Durable state of <see cref="UserGrain"/>. Stored as JSON with its type name: never rename
/// this class, its namespace or its assembly, and never reuse an <c>[Id]</c>.
/// </summary>
[GenerateSerializer, Alias("surveillance.UserState")]
public sealed class UserState
{
    [Id(0)] public string Username { get; set; } = "";
    [Id(1)] public string Email { get; set; } = "";
    [Id(2)] public List<string> Roles { get; set; } = [];
    [Id(3)] public string PasswordHash { get; set; } = "";
    [Id(4)] public bool IsActive { get; set; }
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public DateTimeOffset? LastLogin { get; set; }
    [Id(7)] public AccountLockout Lockout { get; set; } = new();
    [Id(8)] public UserMfa Mfa { get; set; } = new();

    public UserProfile ToProfile() => new(Username, Email, Roles.ToList(), IsActive, CreatedAt, LastLogin, Mfa.Enabled);
}
