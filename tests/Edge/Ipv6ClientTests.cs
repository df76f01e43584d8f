using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// Issue 10: an IPv6 subscriber is handed a whole /64 (2^64 addresses), so limits, threats and blocks
/// key an IPv6 client by its /64 (RateLimiting:Ipv6PrefixLength); IPv4 stays per address.
/// </summary>
public sealed class Ipv6ClientTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    [Fact]
    public async Task BlockOfOneIpv6Address_RefusesItsWhole64_NotTheNext64()
    {
        var http = fixture.CreateClient();

        var blocked = await fixture.AdminSendAsync(HttpMethod.Post, "/admin/security/blocked-ips",
            new { ip = "2001:db8::1", reason = "address rotation", duration_seconds = 600 });

        Assert.Equal(HttpStatusCode.Created, blocked.StatusCode);
        Assert.Equal("2001:db8::/64", (await blocked.ReadJsonAsync())["ip"]!.GetValue<string>());
        await (await http.GetFromAsync("2001:db8::1", EdgeRequests.Me)).AssertBlockedAsync();
        await (await http.GetFromAsync("2001:db8::2", EdgeRequests.Me)).AssertBlockedAsync();
        await (await http.GetFromAsync("2001:db8::ffff:ffff:ffff:ffff", EdgeRequests.Me)).AssertBlockedAsync();
        await (await http.GetFromAsync("2001:db8:0:1::1", EdgeRequests.Me)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task AddressRotationWithinOne64_SharesOneLimit()
    {
        var http = fixture.CreateClient();
        for (var i = 1; i <= EdgeFixture.DefaultLimit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetFromAsync($"2001:db8:5:5::{i:x}", EdgeRequests.Me)).StatusCode);
        }

        await (await http.GetFromAsync("2001:db8:5:5:abcd::99", EdgeRequests.Me)).AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetFromAsync("2001:db8:5:6::1", EdgeRequests.Me)).StatusCode);
        Assert.Equal(EdgeFixture.DefaultLimit, await fixture.UsedAsync("2001:db8:5:5::1", "default"));
    }

    [Fact]
    public async Task ThreatsFromRotatingAddressesOfOne64_AddUpToItsBlock()
    {
        var http = fixture.CreateClient();
        for (var i = 1; i <= EdgeFixture.MaxThreats; i++)
        {
            await http.SendThreatsFromAsync($"2001:db8:7:7::{i:x}", 1);
        }

        await (await http.GetFromAsync("2001:db8:7:7::beef", EdgeRequests.Me)).AssertBlockedAsync();
    }
}
