using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>
/// The profile the revocation check found with the caller's session, so that <c>GET /auth/me</c>
/// answers without asking the user grain again.
/// </summary>
public static class SessionProfile
{
    public static void Set(HttpContext context, UserProfile? profile) => context.Features.Set(new Checked(profile));

    /// <summary>The caller's profile; null when the account no longer exists or the request was not checked.</summary>
    public static UserProfile? Of(HttpContext context) => context.Features.Get<Checked>()?.Profile;

    private sealed record Checked(UserProfile? Profile);
}
