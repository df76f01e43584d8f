using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// Who the client is (API.md; ASVS 4.1.3): the socket address, or the right-most untrusted
/// X-Forwarded-For entry when the socket is a trusted proxy. A client must not be able to pick
/// its own IP and thereby a fresh rate limit or a way around its block.
/// </summary>
public sealed class ClientIpTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    private static int _nextProxy = Random.Shared.Next(1 << 16);

    [Fact]
    public async Task SpoofedForwardedFor_FromAnUntrustedSocket_IsIgnored()
    {
        var http = fixture.CreateClient();
        var socket = EdgeFixture.NewIp();
        var spoofed = new List<string>();

        for (var i = 0; i < EdgeFixture.DefaultLimit; i++)
        {
            var forged = EdgeFixture.NewIp();
            spoofed.Add(forged);
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, socket, forged)).StatusCode);
        }

        await (await GetAsync(http, socket, EdgeFixture.NewIp())).AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.Equal(EdgeFixture.DefaultLimit, await fixture.UsedAsync(socket, "default"));
        Assert.Equal(0, await fixture.UsedAsync(spoofed[0], "default"));
    }

    [Fact]
    public async Task SpoofedForwardedFor_CannotEscapeABlock()
    {
        var http = fixture.CreateClient();
        var socket = EdgeFixture.NewIp();
        await http.SendThreatsFromAsync(socket, EdgeFixture.MaxThreats);

        await (await GetAsync(http, socket, EdgeFixture.NewIp())).AssertBlockedAsync();
    }

    [Fact]
    public async Task ForwardedFor_FromATrustedProxy_IsUsed_EachClientGetsItsOwnLimit()
    {
        var http = fixture.CreateClient();
        var proxy = NewProxyIp();
        var clientA = EdgeFixture.NewIp();
        var clientB = EdgeFixture.NewIp();

        for (var i = 0; i < EdgeFixture.DefaultLimit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, proxy, clientA)).StatusCode);
        }

        await (await GetAsync(http, proxy, clientA)).AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        var other = await GetAsync(http, proxy, clientB);
        await other.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal(EdgeFixture.DefaultLimit, await fixture.UsedAsync(clientA, "default"));
        Assert.Equal(1, await fixture.UsedAsync(clientB, "default"));
        Assert.Equal(0, await fixture.UsedAsync(proxy, "default"));
    }

    [Fact]
    public async Task ForwardedFor_TheRightMostUntrustedEntry_IsTheClient()
    {
        var http = fixture.CreateClient();
        var proxy = NewProxyIp();
        var forgedByClient = EdgeFixture.NewIp();
        var client = EdgeFixture.NewIp();

        // "forged, client": the client wrote the first entry itself; the proxy appended what it saw.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, proxy, $"{forgedByClient}, {client}")).StatusCode);
        // Behind two proxies the inner trusted hop is skipped.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, proxy, $"{forgedByClient}, {client}, {NewProxyIp()}")).StatusCode);

        Assert.Equal(2, await fixture.UsedAsync(client, "default"));
        Assert.Equal(0, await fixture.UsedAsync(forgedByClient, "default"));
        Assert.Equal(0, await fixture.UsedAsync(proxy, "default"));
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("198.18.0.1, garbage")]
    [InlineData("198.18.0.1;198.18.0.2")]
    [InlineData("999.1.2.3")]
    [InlineData(",")]
    public async Task ForwardedFor_Malformed_FallsBackToTheSocket(string forwardedFor)
    {
        var http = fixture.CreateClient();
        var proxy = NewProxyIp();

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, proxy, forwardedFor)).StatusCode);

        Assert.Equal(1, await fixture.UsedAsync(proxy, "default"));
    }

    [Fact]
    public async Task ForwardedFor_PaddedWithManyForgedHops_StillNamesTheClient_NotTheProxy()
    {
        var http = fixture.CreateClient();
        var proxy = NewProxyIp();
        var client = EdgeFixture.NewIp();
        var chain = string.Join(", ", Enumerable.Range(0, 40).Select(_ => EdgeFixture.NewIp()).Append(client));

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, proxy, chain)).StatusCode);

        Assert.Equal(1, await fixture.UsedAsync(client, "default"));
        Assert.Equal(0, await fixture.UsedAsync(proxy, "default"));
    }

    [Fact]
    public async Task BlockedClient_CannotEscapeItsBlock_ByPaddingForwardedFor()
    {
        var http = fixture.CreateClient();
        var proxy = NewProxyIp();
        var client = EdgeFixture.NewIp();
        for (var i = 0; i < EdgeFixture.MaxThreats; i++)
        {
            var threat = await http.SendFromAsync(proxy, HttpMethod.Get, EdgeRequests.FramePath + "?q=" + Uri.EscapeDataString("1 union select password from users"),
                configure: r => r.Headers.TryAddWithoutValidation("X-Forwarded-For", client));
            await threat.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
        }

        var padding = string.Join(", ", Enumerable.Range(0, 100).Select(_ => EdgeFixture.NewIp()));
        await (await GetAsync(http, proxy, $"{padding}, {client}")).AssertBlockedAsync();
        // Trusted hops to the right of the client are skipped, padding to the left is never read.
        await (await GetAsync(http, proxy, $"{padding}, {client}, {NewProxyIp()}, {NewProxyIp()}")).AssertBlockedAsync();
    }

    [Fact]
    public async Task IPv4MappedIPv6Socket_IsTheSameClientAsItsIPv4Address()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        var mapped = "::ffff:" + ip;

        for (var i = 0; i < EdgeFixture.DefaultLimit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetFromAsync(i % 2 == 0 ? mapped : ip, EdgeRequests.Me)).StatusCode);
        }

        await (await http.GetFromAsync(mapped, EdgeRequests.Me)).AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.Equal(EdgeFixture.DefaultLimit, await fixture.UsedAsync(ip, "default"));
        var status = await fixture.IpStatusAsync(mapped);
        Assert.Equal(ip, status["ip"]!.GetValue<string>());
    }

    [Fact]
    public async Task IPv4MappedIPv6ForwardedFor_IsTheSameClientAsItsIPv4Address()
    {
        var http = fixture.CreateClient();
        var proxy = NewProxyIp();
        var client = EdgeFixture.NewIp();

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, proxy, "::ffff:" + client)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, proxy, client)).StatusCode);

        Assert.Equal(2, await fixture.UsedAsync(client, "default"));
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, string socket, string forwardedFor) =>
        http.SendFromAsync(socket, HttpMethod.Get, EdgeRequests.Me,
            configure: r => r.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor));

    /// <summary>A fresh address in <see cref="EdgeFixture.TrustedProxyRange"/>.</summary>
    private static string NewProxyIp()
    {
        var n = Interlocked.Increment(ref _nextProxy) & 0xFFFF;
        return $"10.20.{n >> 8}.{n & 0xFF}";
    }
}
