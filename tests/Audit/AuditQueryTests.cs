using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Audit;

/// <summary><c>GET /admin/audit</c>: filters, order, limits, validation and who may read it.</summary>
public sealed class AuditQueryTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    private static string UniqueIp() => $"203.0.113.{Random.Shared.Next(1, 255)}";

    private async Task<JsonArray> EntriesAsync(string query)
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/admin/audit" + query, await fixture.AdminTokenAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())["entries"]!.AsArray();
    }

    /// <summary>Three 404s from one IPv6 address of this test, stored before the method returns.</summary>
    private async Task<(string Ip, string Path, List<string> RequestIds)> ProbeAsync(int count = 3)
    {
        var ip = $"2001:db8:{Random.Shared.Next(1, 0xffff):x}::{Random.Shared.Next(1, 0xffff):x}";
        var path = "/probe-" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (_, requestId) = await fixture.SendAsync(HttpMethod.Get, $"{path}/{i}", clientIp: ip);
            ids.Add(requestId);
        }

        foreach (var id in ids)
        {
            await fixture.WaitForAsync(id);
        }

        return (ip, path, ids);
    }

    [Fact]
    public async Task FilterByIp_ReturnsOnlyThatClient_NewestFirst_WithTheContractFields()
    {
        var (ip, _, ids) = await ProbeAsync();
        await ProbeAsync(1); // another client

        var entries = await EntriesAsync($"?ip={Uri.EscapeDataString(ip)}");

        Assert.Equal(ids.AsEnumerable().Reverse(), entries.Select(e => e!["request_id"]!.GetValue<string>()));
        var ordered = entries.Select(e => e!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(ordered.OrderDescending(), ordered);
        var first = entries[0]!;
        foreach (var field in new[] { "timestamp", "request_id", "username", "client_ip", "method", "path", "status_code", "user_agent", "is_sensitive", "event", "error" })
        {
            Assert.True(first.AsObject().ContainsKey(field), $"entry lacks '{field}'");
        }

        Assert.EndsWith("Z", first["timestamp"]!.GetValue<string>());
        Assert.All(entries, e => Assert.Equal(ip, e!["client_ip"]!.GetValue<string>()));
    }

    [Fact]
    public async Task FilterByUsername_ReturnsOnlyThatUsersEntries()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync());
        var token = await http.LoginAsync(username, TestSettings.UserPassword, clientIp: UniqueIp());
        var (_, mine) = await fixture.SendAsync(HttpMethod.Get, "/no/such/thing", token);
        var (_, anonymous) = await fixture.SendAsync(HttpMethod.Get, "/no/such/thing");
        await fixture.WaitForAsync(mine);
        await fixture.WaitForAsync(anonymous);

        var entries = await EntriesAsync($"?username={username.ToUpperInvariant()}");

        Assert.Contains(entries, e => e!["request_id"]!.GetValue<string>() == mine);
        Assert.Contains(entries, e => e!["event"]!.GetValue<string>() == "authn_login_success");
        Assert.All(entries, e => Assert.Equal(username, e!["username"]!.GetValue<string>()));
    }

    [Fact]
    public async Task FilterByPathAndStatus_MatchesThePathAndBelowIt()
    {
        var (_, path, ids) = await ProbeAsync();

        var byPath = await EntriesAsync($"?path={path}&status=404");
        var none = await EntriesAsync($"?path={path}&status=500");
        var notAPrefixOfASegment = await EntriesAsync($"?path={path[..^1]}");

        Assert.Equal(ids.Order(), byPath.Select(e => e!["request_id"]!.GetValue<string>()).Order());
        Assert.Empty(none);
        Assert.DoesNotContain(notAPrefixOfASegment, e => ids.Contains(e!["request_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task FilterByTime_FromAndTo_BoundTheEntries()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var (ip, _, ids) = await ProbeAsync(2);
        var after = DateTimeOffset.UtcNow.AddMinutes(1);
        static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        var q = $"?ip={Uri.EscapeDataString(ip)}";

        Assert.Equal(ids.Count, (await EntriesAsync($"{q}&from={Iso(before)}&to={Iso(after)}")).Count);
        Assert.Empty(await EntriesAsync($"{q}&from={Iso(after)}"));
        Assert.Empty(await EntriesAsync($"{q}&to={Iso(before)}"));
    }

    [Fact]
    public async Task Limit_ReturnsTheNewestEntriesOnly()
    {
        var (ip, _, ids) = await ProbeAsync();

        var entries = await EntriesAsync($"?ip={Uri.EscapeDataString(ip)}&limit=2");

        Assert.Equal([ids[2], ids[1]], entries.Select(e => e!["request_id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("from=yesterday")]
    [InlineData("to=2026-13-45T99:00:00Z")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("ip=999.1.1.1")]
    [InlineData("ip=example.com")]
    [InlineData("status=abc")]
    [InlineData("status=700")]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=-5")]
    [InlineData("path=no-leading-slash")]
    [InlineData("username=a%0Ab")]
    [InlineData("status=404&status=500")]
    public async Task BadFilterValues_Are400_ValidationError(string query)
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/admin/audit?" + query, await fixture.AdminTokenAsync());

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Theory]
    [InlineData("/admin/audit")]
    [InlineData("/admin/audit/verify")]
    [InlineData("/admin/audit/export?anonymize=true")]
    public async Task NonAdmin_Gets403_AndNoToken_Gets401(string path)
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync(), roles: ["operator", "viewer"]);
        var token = await http.LoginAsync(username, TestSettings.UserPassword, clientIp: UniqueIp());

        await (await http.SendAsync(HttpMethod.Get, path, token)).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await (await http.SendAsync(HttpMethod.Get, path, null)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }
}
