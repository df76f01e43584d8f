using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>A cluster whose administrators must use MFA (<c>Auth:RequireMfaForRoles = ["admin"]</c>, the Production default).</summary>
public sealed class MfaRequiredFixture : ApiFixture
{
    protected override TestSettings CreateSettings() => new()
    {
        Overrides = { ["Auth:RequireMfaForRoles:0"] = "admin" },
    };
}

/// <summary>
/// ASVS 6.3.3: an account whose role requires MFA but has none gets a token good only for
/// <c>/auth/me</c>, <c>/auth/logout</c> and <c>/auth/mfa/totp/*</c>; everything else is 403 <c>MFA_REQUIRED</c>.
/// </summary>
public sealed class MfaRequiredTests(MfaRequiredFixture fixture) : IClassFixture<MfaRequiredFixture>
{
    [Fact]
    public async Task AdminWithoutMfa_CannotListUsers_ButCanEnroll_AndAfterConfirmingLogsInAgainWithTheCode()
    {
        var http = fixture.CreateClient();
        var passwordOnly = await http.LoginAsync("admin", TestSettings.AdminPassword);

        var list = await http.SendAsync(HttpMethod.Get, "/admin/users", passwordOnly);
        await list.AssertProblemAsync(HttpStatusCode.Forbidden, "MFA_REQUIRED");
        var projects = await http.SendAsync(HttpMethod.Get, "/surveillance/projects", passwordOnly);
        await projects.AssertProblemAsync(HttpStatusCode.Forbidden, "MFA_REQUIRED");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/auth/me", passwordOnly)).StatusCode);

        var secret = await MfaSteps.EnrollAsync(http, passwordOnly);
        var recovery = await MfaSteps.ConfirmAsync(http, passwordOnly, MfaSteps.Code(secret));
        Assert.Equal(10, recovery.Count);

        // Confirming does not upgrade the token that enrolled: the account logs in again, with the code.
        await (await http.SendAsync(HttpMethod.Get, "/admin/users", passwordOnly)).AssertProblemAsync(HttpStatusCode.Forbidden, "MFA_REQUIRED");

        var first = await http.PostLoginAsync("admin", TestSettings.AdminPassword);
        var mfaToken = (await first.ReadJsonAsync())["mfa_token"]!.GetValue<string>();
        var full = await MfaSteps.AccessTokenAsync(await MfaSteps.VerifyAsync(http, mfaToken, MfaSteps.Code(secret, 1)));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/admin/users", full)).StatusCode);

        // A viewer is not concerned: its password-only token works.
        var viewer = await http.CreateUserAsync(full, password: MfaSteps.Password);
        var viewerToken = await http.LoginAsync(viewer, MfaSteps.Password);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/surveillance/projects", viewerToken)).StatusCode);

        // Logout still works for a restricted token.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Post, "/auth/logout", passwordOnly)).StatusCode);
    }
}
