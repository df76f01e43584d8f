using System.Net;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>Blocks of a few seconds, so that expiry and escalation can be watched; rate limits stay out of the way.</summary>
public sealed class ShortBlockFixture : EdgeFixture
{
    public const int BlockSeconds = 3;
    public const int MaxBlockSeconds = 9;

    protected override TestSettings CreateSettings()
    {
        var overrides = Overrides();
        foreach (var rule in new[] { "default", "login", "search", "upload", "frames" })
        {
            overrides[$"RateLimiting:Rules:{rule}:Limit"] = "100000";
        }

        overrides["Threats:BlockSeconds"] = $"{BlockSeconds}";
        overrides["Threats:MaxBlockSeconds"] = $"{MaxBlockSeconds}";
        return new TestSettings { Overrides = overrides };
    }
}

/// <summary>
/// API.md: a block lasts Threats:BlockSeconds, doubles for each repeat up to a maximum, and ends
/// on its own: the IP is admitted again once it expires.
/// </summary>
public sealed class BlockExpiryTests(ShortBlockFixture fixture) : IClassFixture<ShortBlockFixture>
{
    [Fact]
    public async Task Block_Expires_AfterBlockSeconds_AndTheIpIsAdmittedAgain()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        await http.SendThreatsFromAsync(ip, EdgeFixture.MaxThreats);
        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();
        var block = await CurrentBlockAsync(ip);
        Assert.Equal(ShortBlockFixture.BlockSeconds, IpBlockTests.Duration(block));

        var admitted = await WaitUntilAdmittedAsync(http, ip);

        await admitted.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.True(DateTimeOffset.UtcNow >= ExpiresAt(block), "the IP was admitted before its block expired");
        Assert.False((await fixture.IpStatusAsync(ip))["blocked"]!.GetValue<bool>());
        var list = await (await fixture.AdminSendAsync(HttpMethod.Get, "/admin/security/blocked-ips")).ReadJsonAsync();
        Assert.DoesNotContain(list["blocked_ips"]!.AsArray(), b => b!["ip"]!.GetValue<string>() == ip);
    }

    [Fact]
    public async Task RepeatedBlocks_DoubleEachTime_UpToMaxBlockSeconds()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        var durations = new List<int>();

        for (var round = 0; round < 3; round++)
        {
            await ThreatenUntilBlockedAsync(http, ip);
            var block = await CurrentBlockAsync(ip);
            durations.Add(IpBlockTests.Duration(block));
            if (round < 2)
            {
                await (await WaitUntilAdmittedAsync(http, ip)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            }
        }

        // 3 s, then 6 s, then 12 s capped at 9 s (fail2ban's bantime.increment with a ceiling).
        Assert.Equal([3, 6, 9], durations);
        Assert.Equal(3, (await fixture.IpStatusAsync(ip))["block_count"]!.GetValue<int>());
    }

    private static async Task ThreatenUntilBlockedAsync(HttpClient http, string ip)
    {
        for (var i = 0; i < EdgeFixture.MaxThreats; i++)
        {
            await http.SendThreatsFromAsync(ip, 1);
            var probe = await http.GetFromAsync(ip, EdgeRequests.Me);
            if (probe.StatusCode == HttpStatusCode.Forbidden)
            {
                await probe.AssertBlockedAsync();
                return;
            }
        }

        Assert.Fail($"{EdgeFixture.MaxThreats} threats did not block {ip}");
    }

    private async Task<JsonNode> CurrentBlockAsync(string ip)
    {
        var status = await fixture.IpStatusAsync(ip);
        Assert.True(status["blocked"]!.GetValue<bool>(), $"{ip} should be blocked");
        return status["block"]!;
    }

    /// <summary>Polls until the IP is no longer refused with 403, for at most the longest block plus a margin.</summary>
    private static async Task<HttpResponseMessage> WaitUntilAdmittedAsync(HttpClient http, string ip)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(ShortBlockFixture.MaxBlockSeconds + 10);
        while (true)
        {
            var response = await http.GetFromAsync(ip, EdgeRequests.Me);
            if (response.StatusCode != HttpStatusCode.Forbidden || DateTimeOffset.UtcNow > deadline)
            {
                return response;
            }

            await Task.Delay(250);
        }
    }

    private static DateTimeOffset ExpiresAt(JsonNode block) =>
        DateTimeOffset.Parse(block["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
}
