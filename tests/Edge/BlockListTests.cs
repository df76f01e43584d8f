using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Surveillance.Api.Edge;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>Refusal audits aggregated every second, so a test can watch the aggregate row arrive.</summary>
public sealed class FastRefusalAuditFixture : EdgeFixture
{
    protected override TestSettings CreateSettings()
    {
        var overrides = Overrides();
        overrides["RateLimiting:RefusalAuditSeconds"] = "1";
        return new TestSettings { Overrides = overrides };
    }
}

/// <summary>
/// Issue 10: every API instance holds the cluster's block list, pushed by the grain that stores it,
/// so a blocked client is refused before authentication and without a grain call; a refusal is
/// cheap — no token validation, no per-request audit row, one aggregate row per client per period.
/// </summary>
public sealed class BlockListTests(FastRefusalAuditFixture fixture) : IClassFixture<FastRefusalAuditFixture>
{
    private static readonly TimeSpan PushDeadline = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ANewBlock_ReachesASecondApiInstance_WithinOneSecond_AndAnUnblockLikewise()
    {
        var ip = EdgeFixture.NewIp();
        await using var other = new ApiHost(fixture.Cluster);
        var otherHttp = other.CreateClient();
        // The second instance is up and holds the list (its first request loads it).
        Assert.Equal(HttpStatusCode.Unauthorized, (await otherHttp.GetFromAsync(EdgeFixture.NewIp(), EdgeRequests.Me)).StatusCode);
        var otherList = other.Services.GetRequiredService<BlockList>();

        var blocked = await fixture.AdminSendAsync(HttpMethod.Post, "/admin/security/blocked-ips",
            new { ip, reason = "credential stuffing", duration_seconds = 600 });
        Assert.Equal(HttpStatusCode.Created, blocked.StatusCode);

        Assert.True(await WaitAsync(async () => await otherList.FindAsync(ip) is not null), "the block did not reach the second instance within 1 s");
        await (await otherHttp.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.AdminSendAsync(HttpMethod.Delete, $"/admin/security/blocked-ips/{ip}")).StatusCode);

        Assert.True(await WaitAsync(async () => await otherList.FindAsync(ip) is null), "the unblock did not reach the second instance within 1 s");
        await (await otherHttp.GetFromAsync(ip, EdgeRequests.Me)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task ForgedTokenFromABlockedIp_IsRefusedAs403IpBlocked_NotValidated()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        await http.SendThreatsFromAsync(ip, EdgeFixture.MaxThreats);

        var forged = await http.GetFromAsync(ip, EdgeRequests.Me, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.");

        await forged.AssertBlockedAsync();
        // A validated token would have been answered 401 with a Bearer challenge.
        Assert.Empty(forged.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task RefusalsFlood_WritesNoAuditRowPerRequest_OneAggregateRowCarriesTheCount()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        await http.SendThreatsFromAsync(ip, EdgeFixture.MaxThreats);
        const int refusals = 12;
        for (var i = 0; i < refusals; i++)
        {
            await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();
        }

        var rows = await WaitForAuditAsync(ip, entries => entries.Sum(e => Count(e)) >= refusals);

        Assert.DoesNotContain(rows, e => e["path"]!.GetValue<string>() == EdgeRequests.Me);
        var aggregate = rows.Where(e => e["event"]!.GetValue<string>() == EdgeRefusals.BlockedEvent).ToList();
        Assert.NotEmpty(aggregate);
        Assert.All(aggregate, e => Assert.Equal("IP_BLOCKED", e["error"]!.GetValue<string>()));
        Assert.Equal(refusals, aggregate.Sum(Count));
        Assert.True(aggregate.Count < refusals, "refusals were audited one row each");
    }

    private static int Count(System.Text.Json.Nodes.JsonNode? entry) =>
        entry?["details"]?["count"] is { } count ? int.Parse(count.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : 0;

    private async Task<List<System.Text.Json.Nodes.JsonNode>> WaitForAuditAsync(string ip, Func<List<System.Text.Json.Nodes.JsonNode>, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await fixture.AdminSendAsync(HttpMethod.Get, $"/admin/audit?ip={ip}&limit=1000");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var entries = (await response.ReadJsonAsync())["entries"]!.AsArray().Select(e => e!).ToList();
            if (done(entries) || DateTimeOffset.UtcNow > deadline)
            {
                return entries;
            }

            await Task.Delay(250);
        }
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < PushDeadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(10);
        }

        return await condition();
    }
}
