using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// API.md: 5 threats or too many failed logins within an hour block the IP; a blocked IP gets
/// 403 IP_BLOCKED for every request but /health*, whatever it sends and whichever API instance
/// it reaches, until the block expires or an admin lifts it. Bans are durable. Allowlisted IPs
/// are never blocked. /admin/security/* is for admins only and validates its input.
/// </summary>
public sealed class IpBlockTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    private const string BlockedIps = "/admin/security/blocked-ips";

    [Fact]
    public async Task FiveThreats_BlockTheIp_ForEveryRequest_EvenAValidLoginOrToken_ButNotHealth()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        var admin = await fixture.AdminAsync();
        await http.SendThreatsFromAsync(ip, EdgeFixture.MaxThreats - 1);
        Assert.Equal(HttpStatusCode.OK, (await http.GetFromAsync(ip, EdgeRequests.Me, admin)).StatusCode);

        await http.SendThreatsFromAsync(ip, 1);

        await (await http.GetFromAsync(ip, EdgeRequests.Me, admin)).AssertBlockedAsync();
        await (await http.PostLoginAsync("admin", TestSettings.AdminPassword, ip)).AssertBlockedAsync();
        await (await http.GetFromAsync(ip, EdgeRequests.FramePath)).AssertBlockedAsync();
        await (await http.SendThreatFromAsync(ip)).AssertBlockedAsync();
        Assert.Equal(HttpStatusCode.OK, (await http.GetFromAsync(ip, "/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetFromAsync(ip, "/health")).StatusCode);
        // Another API instance has no cached verdict: it learns the block from the cluster.
        await using var other = new ApiHost(fixture.Cluster);
        await (await other.CreateClient().GetFromAsync(ip, EdgeRequests.Me, admin)).AssertBlockedAsync();
        // Nobody else is affected.
        Assert.Equal(HttpStatusCode.OK, (await http.GetFromAsync(EdgeFixture.NewIp(), EdgeRequests.Me, admin)).StatusCode);

        var entry = await BlockedEntryAsync(ip);
        Assert.NotNull(entry);
        Assert.Equal(EdgeFixture.MaxThreats, entry["threat_count"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(entry["reason"]!.GetValue<string>()));
        var status = await fixture.IpStatusAsync(ip);
        Assert.True(status["blocked"]!.GetValue<bool>());
        Assert.Equal(3600, Duration(status["block"]!));
    }

    [Fact]
    public async Task FailedLogins_AtTheLimit_BlockTheIp()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        for (var i = 0; i < EdgeFixture.MaxFailedLogins; i++)
        {
            await (await http.PostLoginAsync("nobody-here", "not the password " + i, ip)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        // LoginLimit (4) > MaxFailedLogins (3): the login rule still has room, so this refusal is the block.
        await (await http.PostLoginAsync("admin", TestSettings.AdminPassword, ip)).AssertBlockedAsync();
        await (await http.GetFromAsync(ip, EdgeRequests.Me, await fixture.AdminAsync())).AssertBlockedAsync();
        var status = await fixture.IpStatusAsync(ip);
        Assert.True(status["blocked"]!.GetValue<bool>());
        Assert.Equal(EdgeFixture.MaxFailedLogins, status["failed_logins"]!.GetValue<int>());
    }

    [Fact]
    public async Task FailedLogins_BelowTheLimit_DoNotBlock()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        for (var i = 0; i < EdgeFixture.MaxFailedLogins - 1; i++)
        {
            await (await http.PostLoginAsync("nobody-here", "not the password", ip)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync("admin", TestSettings.AdminPassword, ip)).StatusCode);
        Assert.False((await fixture.IpStatusAsync(ip))["blocked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task AllowlistedIp_IsNeverBlocked_ThreatsAreStillRefused()
    {
        var http = fixture.CreateClient();
        var ip = "198.51.100.7";

        for (var i = 0; i < EdgeFixture.MaxThreats + 1; i++)
        {
            await (await http.SendThreatFromAsync(ip)).AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetFromAsync(ip, EdgeRequests.Me)).StatusCode);
        var status = await fixture.IpStatusAsync(ip);
        Assert.True(status["allowlisted"]!.GetValue<bool>());
        Assert.False(status["blocked"]!.GetValue<bool>());
        Assert.Null(await BlockedEntryAsync(ip));
    }

    [Fact]
    public async Task Unblock_LiftsTheBlock_AndClearsHistory()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        await http.SendThreatsFromAsync(ip, EdgeFixture.MaxThreats);
        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();

        var unblock = await fixture.AdminSendAsync(HttpMethod.Delete, $"{BlockedIps}/{ip}");

        Assert.Equal(HttpStatusCode.NoContent, unblock.StatusCode);
        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var status = await fixture.IpStatusAsync(ip);
        Assert.False(status["blocked"]!.GetValue<bool>());
        Assert.Empty(status["threats"]!.AsArray());
        Assert.Null(await BlockedEntryAsync(ip));
        // The old threats no longer count: one more does not block again.
        await http.SendThreatsFromAsync(ip, 1);
        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task ManualBlock_Is201_TheIpGets403_AndTheListShowsIt()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetFromAsync(ip, EdgeRequests.Me)).StatusCode);

        var response = await fixture.AdminSendAsync(HttpMethod.Post, BlockedIps, new { ip, reason = "scanning our cameras", duration_seconds = 600 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        Assert.Equal(ip, created["ip"]!.GetValue<string>());
        Assert.Equal("scanning our cameras", created["reason"]!.GetValue<string>());
        Assert.Equal(600, Duration(created));
        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();
        await using var other = new ApiHost(fixture.Cluster);
        await (await other.CreateClient().GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();

        var entry = await BlockedEntryAsync(ip);
        Assert.NotNull(entry);
        Assert.Equal("scanning our cameras", entry["reason"]!.GetValue<string>());
        Assert.Equal(600, Duration(entry));
        Assert.Equal(0, entry["threat_count"]!.GetValue<int>());
        Assert.InRange(DateTimeOffset.Parse(entry["blocked_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task ManualBlock_OfAnIPv4MappedAddress_BlocksTheIPv4Client()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();

        var response = await fixture.AdminSendAsync(HttpMethod.Post, BlockedIps, new { ip = "::ffff:" + ip, reason = "mapped", duration_seconds = 600 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(ip, (await response.ReadJsonAsync())["ip"]!.GetValue<string>());
        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();
        await (await http.GetFromAsync("::ffff:" + ip, EdgeRequests.Me)).AssertBlockedAsync();
    }

    [Fact]
    public async Task Ban_SurvivesASiloRestart()
    {
        var settings = new TestSettings { Overrides = EdgeFixture.Overrides() };
        var ip = EdgeFixture.NewIp();
        await using (var cluster = await TestCluster.StartAsync(settings))
        await using (var api = new ApiHost(cluster))
        {
            var http = api.CreateClient();
            await http.SendThreatsFromAsync(ip, EdgeFixture.MaxThreats);
            await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();
        }

        await using (var cluster = await TestCluster.StartAsync(settings))
        await using (var api = new ApiHost(cluster))
        {
            var http = api.CreateClient();
            await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();
            await (await http.PostLoginAsync("admin", TestSettings.AdminPassword, ip)).AssertBlockedAsync();
            var admin = await http.LoginAsync("admin", TestSettings.AdminPassword, EdgeFixture.NewIp());
            var list = await (await http.SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Get, BlockedIps, admin)).ReadJsonAsync();
            Assert.Contains(list["blocked_ips"]!.AsArray(), b => b!["ip"]!.GetValue<string>() == ip);
        }
    }

    public static TheoryData<string> BadBlockBodies => new()
    {
        """{"ip":"not-an-ip","reason":"r","duration_seconds":60}""",
        """{"ip":"300.1.2.3","reason":"r","duration_seconds":60}""",
        """{"ip":"","reason":"r","duration_seconds":60}""",
        """{"reason":"r","duration_seconds":60}""",
        """{"ip":"192.0.2.254","duration_seconds":60}""",
        """{"ip":"192.0.2.254","reason":"","duration_seconds":60}""",
        """{"ip":"192.0.2.254","reason":"r"}""",
        """{"ip":"192.0.2.254","reason":"r","duration_seconds":0}""",
        """{"ip":"192.0.2.254","reason":"r","duration_seconds":-60}""",
        """{"ip":"192.0.2.254","reason":"r","duration_seconds":2592001}""",
        """{"ip":"192.0.2.254","reason":"r","duration_seconds":99999999999999}""",
        """{"ip":"192.0.2.254","reason":"r","duration_seconds":"60 s"}""",
        """{"ip":"192.0.2.254","reason":"r","duration_seconds":1.5}""",
        """{"ip":12345,"reason":"r","duration_seconds":60}""",
        """{"ip":"192.0.2.254","reason":"r","duration_seconds":60""",
        """not json at all""",
        """[]""",
        """null""",
    };

    [Theory]
    [MemberData(nameof(BadBlockBodies))]
    public async Task ManualBlock_WithBadInput_Is400ValidationError_AndBlocksNothing(string json)
    {
        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, BlockedIps,
            await fixture.AdminAsync(), new StringContent(json, Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Null(await BlockedEntryAsync("192.0.2.254"));
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("300.1.2.3")]
    [InlineData("1.2.3.4.5")]
    public async Task UnblockAndIpStatus_WithAnInvalidIp_Are400ValidationError(string ip)
    {
        await (await fixture.AdminSendAsync(HttpMethod.Delete, $"{BlockedIps}/{ip}")).AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await (await fixture.AdminSendAsync(HttpMethod.Get, $"/admin/security/ips/{ip}")).AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    public static TheoryData<string, string> SecurityEndpoints => new()
    {
        { "GET", BlockedIps },
        { "POST", BlockedIps },
        { "DELETE", $"{BlockedIps}/192.0.2.253" },
        { "GET", "/admin/security/ips/192.0.2.253" },
    };

    [Theory]
    [MemberData(nameof(SecurityEndpoints))]
    public async Task SecurityEndpoints_RefuseNonAdmins_With403(string method, string path)
    {
        var token = await fixture.UserTokenAsync("operator", "viewer", "processor");

        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), new HttpMethod(method), path, token,
            method == "POST" ? new { ip = "192.0.2.253", reason = "not allowed", duration_seconds = 60 } : null);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.False((await fixture.IpStatusAsync("192.0.2.253"))["blocked"]!.GetValue<bool>());
    }

    [Theory]
    [MemberData(nameof(SecurityEndpoints))]
    public async Task SecurityEndpoints_WithoutAToken_Are401(string method, string path)
    {
        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), new HttpMethod(method), path,
            body: method == "POST" ? new { ip = "192.0.2.253", reason = "not allowed", duration_seconds = 60 } : null);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.False((await fixture.IpStatusAsync("192.0.2.253"))["blocked"]!.GetValue<bool>());
    }

    private async Task<JsonNode?> BlockedEntryAsync(string ip)
    {
        var response = await fixture.AdminSendAsync(HttpMethod.Get, BlockedIps);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = (await response.ReadJsonAsync())["blocked_ips"]!.AsArray();
        foreach (var entry in list)
        {
            foreach (var member in new[] { "ip", "reason", "blocked_at", "expires_at", "threat_count" })
            {
                Assert.NotNull(entry![member]);
            }
        }

        return list.SingleOrDefault(b => b!["ip"]!.GetValue<string>() == ip);
    }

    /// <summary>expires_at − blocked_at, in seconds.</summary>
    public static int Duration(JsonNode block) =>
        (int)(Parse(block["expires_at"]!) - Parse(block["blocked_at"]!)).TotalSeconds;

    private static DateTimeOffset Parse(JsonNode timestamp) =>
        DateTimeOffset.Parse(timestamp.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
}
