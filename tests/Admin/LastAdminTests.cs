using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Admin;

/// <summary>
/// A cluster of its own for tests that change the set of admins: never share it with tests that
/// rely on the bootstrap admin. Each test class that uses it gets its own instance.
/// </summary>
public sealed class LastAdminFixture : ApiFixture;

/// <summary>
/// API.md: removing, deactivating or demoting the last active admin → 409. The tests of this class
/// leave the bootstrap admin as the only active admin, so they do not depend on their order.
/// </summary>
public sealed class LastAdminTests(LastAdminFixture fixture) : IClassFixture<LastAdminFixture>
{
    private const string Password = TestSettings.UserPassword;

    [Fact]
    public async Task LastAdmin_BootstrapAdmin_CannotBeDeletedDeactivatedOrDemoted()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenAsync();
        Assert.Equal(["admin"], await ActiveAdminsAsync(http, token));

        await AssertProtectedAsync(http, token, "admin");
        await AssertProtectedAsync(http, token, "ADMIN");

        var admin = await (await http.SendAsync(HttpMethod.Get, "/admin/users/admin", token)).ReadJsonAsync();
        ContractAssert.User(admin, "admin", admin["email"]!.GetValue<string>(), ["admin"], isActive: true);
        Assert.Equal(["admin"], await ActiveAdminsAsync(http, token));
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync("admin", TestSettings.AdminPassword)).StatusCode);
    }

    [Fact]
    public async Task SecondAdmin_CanBeDeletedDeactivatedOrDemoted_ThenTheRemainingAdminIsProtectedAgain()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenAsync();
        var removals = new (HttpMethod Method, object? Body, HttpStatusCode Status)[]
        {
            (HttpMethod.Delete, null, HttpStatusCode.NoContent),
            (HttpMethod.Patch, new { is_active = false }, HttpStatusCode.OK),
            (HttpMethod.Patch, new { roles = new[] { "viewer" } }, HttpStatusCode.OK),
            (HttpMethod.Patch, new { roles = Array.Empty<string>() }, HttpStatusCode.OK),
        };

        foreach (var (method, body, status) in removals)
        {
            var second = await http.CreateUserAsync(token, password: Password, roles: ["admin"]);
            Assert.Equal(["admin", second], await ActiveAdminsAsync(http, token));

            var removed = await http.SendAsync(method, $"/admin/users/{second}", token, body);

            Assert.Equal(status, removed.StatusCode);
            Assert.Equal(["admin"], await ActiveAdminsAsync(http, token));
            await AssertProtectedAsync(http, token, "admin");
        }
    }

    [Fact]
    public async Task SecondAdmin_MayDemoteItself_WhileAnotherAdminRemains_ThenTheOtherIsProtected()
    {
        var http = fixture.CreateClient();
        var token = await fixture.AdminTokenAsync();
        var second = await http.CreateUserAsync(token, password: Password, roles: ["admin"]);
        var secondToken = await http.LoginAsync(second, Password);

        var demoted = await http.SendAsync(HttpMethod.Patch, $"/admin/users/{second}", secondToken, new { roles = new[] { "operator" } });

        Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        Assert.Equal(["admin"], await ActiveAdminsAsync(http, token));
        await AssertProtectedAsync(http, token, "admin");
    }

    /// <summary>Delete, deactivate and every kind of demotion are refused with 409, and change nothing.</summary>
    internal static async Task AssertProtectedAsync(HttpClient http, string token, string username)
    {
        var path = $"/admin/users/{username}";
        var attempts = new (HttpMethod Method, object? Body)[]
        {
            (HttpMethod.Delete, null),
            (HttpMethod.Patch, new { is_active = false }),
            (HttpMethod.Patch, new { roles = new[] { "viewer" } }),
            (HttpMethod.Patch, new { roles = Array.Empty<string>() }),
            (HttpMethod.Patch, new { roles = new[] { "operator", "processor", "viewer" } }),
            (HttpMethod.Patch, new { roles = new[] { "admin" }, is_active = false }),
        };

        foreach (var (method, body) in attempts)
        {
            var response = await http.SendAsync(method, path, token, body);
            await response.AssertProblemAsync(HttpStatusCode.Conflict, "CONFLICT");
        }

        var user = await http.SendAsync(HttpMethod.Get, path, token);
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        var profile = await user.ReadJsonAsync();
        Assert.True(profile["is_active"]!.GetValue<bool>());
        Assert.Contains("admin", profile["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    /// <summary>The usernames of the active admins, as the admin API lists them.</summary>
    internal static async Task<string[]> ActiveAdminsAsync(HttpClient http, string token)
    {
        var response = await http.SendAsync(HttpMethod.Get, "/admin/users", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return
        [
            .. (await response.ReadJsonAsync())["users"]!.AsArray()
                .Where(u => u!["is_active"]!.GetValue<bool>() && u["roles"]!.AsArray().Any(r => r!.GetValue<string>() == "admin"))
                .Select(u => u!["username"]!.GetValue<string>())
                .Order(StringComparer.Ordinal),
        ];
    }
}

/// <summary>
/// The rule protects whoever is the last admin, not the name <c>admin</c>: this test removes the
/// bootstrap admin, so it has a cluster of its own.
/// </summary>
public sealed class LastAdminHandoverTests(LastAdminFixture fixture) : IClassFixture<LastAdminFixture>
{
    private const string Password = TestSettings.UserPassword;

    [Fact]
    public async Task LastAdmin_AfterTheBootstrapAdminIsRemoved_TheSuccessorIsProtected()
    {
        var http = fixture.CreateClient();
        var bootstrapToken = await fixture.AdminTokenAsync();
        var successor = await http.CreateUserAsync(bootstrapToken, password: Password, roles: ["admin"]);
        var successorToken = await http.LoginAsync(successor, Password);

        // The bootstrap admin steps down itself (allowed: another admin remains), then is deleted.
        var steppedDown = await http.SendAsync(HttpMethod.Patch, "/admin/users/admin", bootstrapToken, new { roles = new[] { "viewer" } });
        Assert.Equal(HttpStatusCode.OK, steppedDown.StatusCode);
        await (await http.SendAsync(HttpMethod.Get, "/admin/users", bootstrapToken)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var deleted = await http.SendAsync(HttpMethod.Delete, "/admin/users/admin", successorToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        Assert.Equal([successor], await LastAdminTests.ActiveAdminsAsync(http, successorToken));
        await LastAdminTests.AssertProtectedAsync(http, successorToken, successor);
        Assert.Equal([successor], await LastAdminTests.ActiveAdminsAsync(http, successorToken));
    }
}
