namespace Surveillance.Identity;

/// <summary>
/// The result of a login attempt. <see cref="Profile"/> is set only on success; the reason is
/// for the audit log and is never shown to the client, who sees one answer for every failure.
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.LoginOutcome")]
public sealed record LoginOutcome(
    [property: Id(0)] UserProfile? Profile,
    [property: Id(1)] LoginFailure Failure)
{
    public bool Succeeded => Profile is not null;

    public static LoginOutcome Success(UserProfile profile) => new(profile, LoginFailure.None);

    public static LoginOutcome Failed(LoginFailure failure) => new(null, failure);
}

/// <summary>Why a login failed, for the audit trail only.</summary>
public enum LoginFailure
{
    None = 0,
    UnknownUser = 1,
    WrongPassword = 2,
    Inactive = 3,
    Locked = 4,
}
