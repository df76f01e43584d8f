using System.Net;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>
/// Each API instance caches the live sessions and profile of a user (a lease from the session
/// grain) so that a request costs no grain call. The attack: replay a token on another instance
/// that still holds a copy from before the revocation. ASVS 7.4.1 demands a refusal there as soon
/// as the revoking call has returned, not once the copy runs out.
/// </summary>
[Collection(LoginAndSessionCluster.Name)]
public sealed class SessionCacheTests(ApiFixture fixture)
{
    private const string Password = TestSettings.UserPassword;
    private const string Me = "/auth/me";

    [Fact]
    public async Task LoggedOutToken_ReplayedOnASecondInstanceWithAWarmCopy_IsRefusedAtOnce()
    {
        await using var instance1 = new ApiHost(fixture.Cluster);
        await using var instance2 = new ApiHost(fixture.Cluster);
        var http1 = instance1.CreateClient();
        var http2 = instance2.CreateClient();
        var username = await http1.CreateUserAsync(await http1.LoginAsync("admin", TestSettings.AdminPassword));
        var token = await http1.LoginAsync(username, Password);
        await PastTheActivationWaitAsync();
        await WarmAsync(http2, token);

        Assert.Equal(HttpStatusCode.OK, (await http1.SendAsync(HttpMethod.Post, "/auth/logout", token)).StatusCode);

        // No delay: the copy on instance 2 was recalled before the logout answered.
        await (await http2.SendAsync(HttpMethod.Get, Me, token)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task RoleChangeThroughInstance1_EndsTheSessionOnAWarmInstance2_AtOnce()
    {
        await using var instance1 = new ApiHost(fixture.Cluster);
        await using var instance2 = new ApiHost(fixture.Cluster);
        var http1 = instance1.CreateClient();
        var http2 = instance2.CreateClient();
        var admin = await http1.LoginAsync("admin", TestSettings.AdminPassword);
        var username = await http1.CreateUserAsync(admin, roles: ["operator"]);
        var token = await http1.LoginAsync(username, Password);
        await PastTheActivationWaitAsync();
        await WarmAsync(http2, token);

        Assert.Equal(HttpStatusCode.OK,
            (await http1.SendAsync(HttpMethod.Patch, $"/admin/users/{username}", admin, new { roles = new[] { "viewer" } })).StatusCode);

        await (await http2.SendAsync(HttpMethod.Get, Me, token)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task EmailChangeThroughInstance1_IsShownByAWarmInstance2_AtOnce()
    {
        await using var instance1 = new ApiHost(fixture.Cluster);
        await using var instance2 = new ApiHost(fixture.Cluster);
        var http1 = instance1.CreateClient();
        var http2 = instance2.CreateClient();
        var admin = await http1.LoginAsync("admin", TestSettings.AdminPassword);
        var username = await http1.CreateUserAsync(admin);
        var token = await http1.LoginAsync(username, Password);
        await WarmAsync(http2, token);

        Assert.Equal(HttpStatusCode.OK,
            (await http1.SendAsync(HttpMethod.Patch, $"/admin/users/{username}", admin, new { email = "moved@example.test" })).StatusCode);

        var me = await (await http2.SendAsync(HttpMethod.Get, Me, token)).ReadJsonAsync();
        Assert.Equal("moved@example.test", me["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task NewLogin_IsAcceptedAtOnce_ByAnInstanceHoldingACopyFromBeforeIt()
    {
        await using var instance1 = new ApiHost(fixture.Cluster);
        await using var instance2 = new ApiHost(fixture.Cluster);
        var http1 = instance1.CreateClient();
        var http2 = instance2.CreateClient();
        var username = await http1.CreateUserAsync(await http1.LoginAsync("admin", TestSettings.AdminPassword));
        await WarmAsync(http2, await http1.LoginAsync(username, Password));

        var fresh = await http1.LoginAsync(username, Password);

        var response = await http2.SendAsync(HttpMethod.Get, Me, fresh);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(username, (await response.ReadJsonAsync())["username"]!.GetValue<string>());
    }

    [Fact]
    public async Task RevokedToken_StaysRefused_OnEveryRepeat()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync());
        var token = await http.LoginAsync(username, Password);
        var other = await http.LoginAsync(username, Password);
        await WarmAsync(http, token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Post, "/auth/logout", token)).StatusCode);

        // The user's other session refills the copy; the revoked token must not come back with it.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, Me, other)).StatusCode);
            await (await http.SendAsync(HttpMethod.Get, Me, token)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }

    // A session grain's first revocations wait out leases an earlier activation may have granted, which
    // would outlast instance 2's copy and hide whether the recall works: revoke after that time.
    private static Task PastTheActivationWaitAsync() =>
        Task.Delay(SessionLeaseHolders.Lifetime + SessionLeaseHolders.Margin + TimeSpan.FromMilliseconds(100));

    private static async Task WarmAsync(HttpClient http, string token)
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, Me, token)).StatusCode);
        }
    }
}
