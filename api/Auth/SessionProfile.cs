using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>
/// The profile the revocation check found with the caller's session, so that <c>GET /auth/me</c>
/// answers without asking the user grain again.
/// </summary>
public static class SessionProfile
{
    private const string ItemKey = "surveillance.session_profile";

    public static void Set(HttpContext context, UserProfile? profile) => context.Items[ItemKey] = profile;

    /// <summary>The caller's profile; null when the account no longer exists or the request was not checked.</summary>
    public static UserProfile? Of(HttpContext context) => context.Items[ItemKey] as UserProfile;
}
