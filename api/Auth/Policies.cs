using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>Authorization policy names.</summary>
public static class Policies
{
    public const string Admin = Roles.Admin;
}
