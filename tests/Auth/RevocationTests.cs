using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>
/// ASVS 7.4.1 / API.md: a token ends server-side — at logout (on every API instance), when its
/// user changes the password (every other session), and when an admin deactivates the user,
/// changes its roles, resets its password or deletes it. Revocations survive a restart.
/// </summary>
[Collection(LoginAndSessionCluster.Name)]
public sealed class RevocationTests(ApiFixture fixture)
{
    private const string Password = TestSettings.UserPassword;
    private const string Me = "/auth/me";

    [Fact]
    public async Task Logout_ThroughInstance1_IsRefusedByInstance2()
    {
        await using var instance1 = new ApiHost(fixture.Cluster);
        await using var instance2 = new ApiHost(fixture.Cluster);
        var http1 = instance1.CreateClient();
        var http2 = instance2.CreateClient();
        var username = await http1.CreateUserAsync(await http1.LoginAsync("admin", TestSettings.AdminPassword));
        var token = await http1.LoginAsync(username, Password);
        Assert.Equal(HttpStatusCode.OK, (await http2.SendAsync(HttpMethod.Get, Me, token)).StatusCode);

        var logout = await http1.SendAsync(HttpMethod.Post, "/auth/logout", token);

        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        Assert.Equal("Successfully logged out", (await logout.ReadJsonAsync())["message"]!.GetValue<string>());
        await AssertRevokedAsync(http2, token);
        await AssertRevokedAsync(http1, token);
        await (await http2.SendAsync(HttpMethod.Post, "/auth/logout", token))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Logout_RevokesOnlyThatToken_NotTheUsersOtherSessions()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync());
        var loggingOut = await http.LoginAsync(username, Password);
        var other = await http.LoginAsync(username, Password);

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Post, "/auth/logout", loggingOut)).StatusCode);

        await AssertRevokedAsync(http, loggingOut);
        await AssertWorksAsync(http, other, username);
    }

    [Fact]
    public async Task ChangePassword_RevokesEveryOtherSession_AndTheCallingTokenKeepsWorking()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync());
        var sessionA = await http.LoginAsync(username, Password);
        var sessionB = await http.LoginAsync(username, Password);
        var sessionC = await http.LoginAsync(username, Password);

        var response = await http.SendAsync(HttpMethod.Post, "/auth/change-password", sessionA,
            new { old_password = Password, new_password = "a brand new passphrase" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Password updated successfully", (await response.ReadJsonAsync())["message"]!.GetValue<string>());
        await AssertWorksAsync(http, sessionA, username);
        await AssertRevokedAsync(http, sessionB);
        await AssertRevokedAsync(http, sessionC);
    }

    [Fact]
    public async Task ChangePassword_ReplacesThePassword_TheOldOneNoLongerLogsIn()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync());
        var token = await http.LoginAsync(username, Password);

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Post, "/auth/change-password", token,
            new { old_password = Password, new_password = "a brand new passphrase" })).StatusCode);

        await (await http.PostLoginAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await AssertWorksAsync(http, await http.LoginAsync(username, "a brand new passphrase"), username);
    }

    [Fact]
    public async Task ChangePassword_WithAWrongCurrentPassword_Is400_AndRevokesAndChangesNothing()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync());
        var caller = await http.LoginAsync(username, Password);
        var other = await http.LoginAsync(username, Password);

        var problem = await (await http.SendAsync(HttpMethod.Post, "/auth/change-password", caller,
                new { old_password = "not the current one", new_password = "a brand new passphrase" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");

        Assert.Equal("Incorrect current password", problem["detail"]!.GetValue<string>());
        await AssertWorksAsync(http, other, username);
        await (await http.PostLoginAsync(username, "a brand new passphrase")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await AssertWorksAsync(http, await http.LoginAsync(username, Password), username);
    }

    [Fact]
    public async Task ChangePassword_ToOneBreakingThePolicy_Is400_AndRevokesAndChangesNothing()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync());
        Assert.True(username.Length >= 12, "the username must be long enough to be a policy-length password");
        var caller = await http.LoginAsync(username, Password);
        var other = await http.LoginAsync(username, Password);

        foreach (var breaking in new[] { "too short 1", username, new string('x', 129) })
        {
            await (await http.SendAsync(HttpMethod.Post, "/auth/change-password", caller,
                    new { old_password = Password, new_password = breaking }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
            await (await http.PostLoginAsync(username, breaking)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        await AssertWorksAsync(http, caller, username);
        await AssertWorksAsync(http, other, username);
        await AssertWorksAsync(http, await http.LoginAsync(username, Password), username);
    }

    [Fact]
    public async Task Deactivation_RevokesTheUsersSessions_AndReactivationDoesNotReviveThem()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var username = await http.CreateUserAsync(admin);
        var token = await http.LoginAsync(username, Password);
        await AssertWorksAsync(http, token, username);

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Patch, $"/admin/users/{username}", admin, new { is_active = false })).StatusCode);

        await AssertRevokedAsync(http, token);
        await (await http.PostLoginAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Patch, $"/admin/users/{username}", admin, new { is_active = true })).StatusCode);

        await AssertRevokedAsync(http, token);
        await AssertWorksAsync(http, await http.LoginAsync(username, Password), username);
    }

    [Fact]
    public async Task RoleChange_RevokesTheUsersSessions_SoNoTokenCarriesStaleRoles()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var username = await http.CreateUserAsync(admin, roles: ["operator"]);
        var token = await http.LoginAsync(username, Password);
        await AssertWorksAsync(http, token, username);

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Patch, $"/admin/users/{username}", admin, new { roles = new[] { "viewer" } })).StatusCode);

        await AssertRevokedAsync(http, token);
        var fresh = await http.LoginAsync(username, Password);
        var me = await (await http.SendAsync(HttpMethod.Get, Me, fresh)).ReadJsonAsync();
        Assert.Equal(["viewer"], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task ResetPassword_RevokesTheUsersSessions_AndTheNewPasswordWorks()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var username = await http.CreateUserAsync(admin);
        var first = await http.LoginAsync(username, Password);
        var second = await http.LoginAsync(username, Password);

        var response = await http.SendAsync(HttpMethod.Post, $"/admin/users/{username}/reset-password", admin,
            new { new_password = "set by the administrator" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertRevokedAsync(http, first);
        await AssertRevokedAsync(http, second);
        await (await http.PostLoginAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await AssertWorksAsync(http, await http.LoginAsync(username, "set by the administrator"), username);
        await AssertWorksAsync(http, admin, "admin");
    }

    [Fact]
    public async Task Delete_RevokesTheUsersSessions_EvenWhenTheNameIsCreatedAgain()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var username = await http.CreateUserAsync(admin);
        var token = await http.LoginAsync(username, Password);
        await AssertWorksAsync(http, token, username);

        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Delete, $"/admin/users/{username}", admin)).StatusCode);

        await AssertRevokedAsync(http, token);
        await (await http.PostLoginAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        // A new account under the old name is not the old account: the old token stays dead.
        await http.CreateUserAsync(admin, username);
        await AssertRevokedAsync(http, token);
    }

    [Fact]
    public async Task UsersAndRevocations_SurviveAFullRestart()
    {
        var settings = new TestSettings();
        string username, loggedOut, live;
        await using (var cluster = await TestCluster.StartAsync(settings))
        await using (var api = new ApiHost(cluster))
        {
            var http = api.CreateClient();
            username = await http.CreateUserAsync(await http.LoginAsync("admin", TestSettings.AdminPassword));
            loggedOut = await http.LoginAsync(username, Password);
            live = await http.LoginAsync(username, Password);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Post, "/auth/logout", loggedOut)).StatusCode);
            await AssertRevokedAsync(http, loggedOut);
        }

        await using (var cluster = await TestCluster.StartAsync(settings))
        await using (var api = new ApiHost(cluster))
        {
            var http = api.CreateClient();
            await AssertRevokedAsync(http, loggedOut);
            await AssertWorksAsync(http, live, username);
            await AssertWorksAsync(http, await http.LoginAsync(username, Password), username);
        }
    }

    private static async Task AssertWorksAsync(HttpClient http, string token, string username)
    {
        var response = await http.SendAsync(HttpMethod.Get, Me, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(username, (await response.ReadJsonAsync())["username"]!.GetValue<string>());
    }

    private static async Task AssertRevokedAsync(HttpClient http, string token)
    {
        var response = await http.SendAsync(HttpMethod.Get, Me, token);
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }
}
