using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Admin;

/// <summary>API.md "Administration": every <c>/admin/users</c> endpoint is for the <c>admin</c> role only.</summary>
[Collection(UserAdministrationCluster.Name)]
public sealed class AdminAuthorizationTests(ApiFixture fixture)
{
    private const string Victim = "victim.user";

    public static readonly string[] Endpoints =
    [
        "POST /admin/users",
        "GET /admin/users",
        "GET /admin/users/{victim}",
        "PATCH /admin/users/{victim}",
        "POST /admin/users/{victim}/reset-password",
        "DELETE /admin/users/{victim}",
    ];

    /// <summary>Every non-admin role alone, and all of them together ('+'-separated).</summary>
    public static readonly string[] NonAdminRoles = ["viewer", "operator", "processor", "operator+processor+viewer"];

    public static TheoryData<string> EveryEndpoint() => [.. Endpoints];

    public static TheoryData<string, string> EveryEndpointForEveryNonAdminRole()
    {
        var data = new TheoryData<string, string>();
        foreach (var roles in NonAdminRoles)
        {
            foreach (var endpoint in Endpoints)
            {
                data.Add(roles, endpoint);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryEndpoint))]
    public async Task AdminEndpoint_WithoutToken_Is401_AndChangesNothing(string endpoint)
    {
        await fixture.UserTokenOnceAsync(Victim, "viewer");
        var (method, path, body) = Request(endpoint, "anonymous");

        var response = await fixture.CreateClient().SendAsync(method, path, token: null, body);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        await AssertNothingChangedAsync("anonymous");
    }

    [Theory]
    [MemberData(nameof(EveryEndpointForEveryNonAdminRole))]
    public async Task AdminEndpoint_WithNonAdminRole_Is403_AndChangesNothing(string roles, string endpoint)
    {
        var caller = "caller." + roles.Replace('+', '.');
        var token = await fixture.UserTokenOnceAsync(caller, roles.Split('+'));
        await fixture.UserTokenOnceAsync(Victim, "viewer");
        var (method, path, body) = Request(endpoint, caller);

        var response = await fixture.CreateClient().SendAsync(method, path, token, body);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await AssertNothingChangedAsync(caller);
    }

    [Fact]
    public async Task PrivilegeEscalation_NonAdmin_CannotGrantItselfAdmin()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenOnceAsync(), password: TestSettings.UserPassword, roles: ["operator"]);
        var token = await http.LoginAsync(username, TestSettings.UserPassword);

        var response = await http.SendAsync(HttpMethod.Patch, $"/admin/users/{username}", token, new { roles = new[] { "admin" } });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        var me = await (await http.SendAsync(HttpMethod.Get, "/auth/me", token)).ReadJsonAsync();
        Assert.Equal(["operator"], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task DemotedAdmin_OldToken_NoLongerAdministers_AndANewLoginIsForbidden()
    {
        var http = fixture.CreateClient();
        var adminToken = await fixture.AdminTokenOnceAsync();
        var username = await http.CreateUserAsync(adminToken, password: TestSettings.UserPassword, roles: ["admin"]);
        var oldToken = await http.LoginAsync(username, TestSettings.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/admin/users", oldToken)).StatusCode);

        var demoted = await http.SendAsync(HttpMethod.Patch, $"/admin/users/{username}", adminToken, new { roles = new[] { "viewer" } });
        Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);

        await (await http.SendAsync(HttpMethod.Get, "/admin/users", oldToken)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var newToken = await http.LoginAsync(username, TestSettings.UserPassword);
        await (await http.SendAsync(HttpMethod.Get, "/admin/users", newToken)).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    /// <summary>The request for an endpoint: each one aimed at the victim, with a body an attacker would send.</summary>
    private static (HttpMethod Method, string Path, object? Body) Request(string endpoint, string caller)
    {
        var parts = endpoint.Split(' ');
        var path = parts[1].Replace("{victim}", Victim, StringComparison.Ordinal);
        object? body = endpoint switch
        {
            "POST /admin/users" => new
            {
                username = Intruder(caller), password = "the attacker's password", email = "attacker@example.test", roles = new[] { "admin" },
            },
            "PATCH /admin/users/{victim}" => new { email = "attacker@example.test", roles = new[] { "admin" } },
            "POST /admin/users/{victim}/reset-password" => new { new_password = "the attacker's password" },
            _ => null,
        };
        return (new HttpMethod(parts[0]), path, body);
    }

    private static string Intruder(string caller) => "intruder." + caller;

    /// <summary>
    /// The victim keeps its profile and its session (a reset, a role change or a delete would all
    /// revoke it), and the account the caller tried to create does not exist.
    /// </summary>
    private async Task AssertNothingChangedAsync(string caller)
    {
        var http = fixture.CreateClient();
        var adminToken = await fixture.AdminTokenOnceAsync();
        var victimToken = await fixture.UserTokenOnceAsync(Victim, "viewer");

        var victim = await http.SendAsync(HttpMethod.Get, $"/admin/users/{Victim}", adminToken);
        Assert.Equal(HttpStatusCode.OK, victim.StatusCode);
        ContractAssert.User(await victim.ReadJsonAsync(), Victim, $"{Victim}@example.test", ["viewer"], isActive: true);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/auth/me", victimToken)).StatusCode);
        var intruder = await http.SendAsync(HttpMethod.Get, $"/admin/users/{Intruder(caller)}", adminToken);
        await intruder.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }
}
