using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Surveillance.Api.Hosting;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// API.md "Headers on every response": the security headers on successes and errors alike
/// (including the edge's own refusals), and CORS for the configured origins only.
/// </summary>
public sealed class CorsAndHeadersTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    private const string DeniedOrigin = "https://evil.example.test";

    public static TheoryData<string> Outcomes => new() { "200", "401", "404", "429", "400-suspicious", "403-blocked", "200-health" };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task SecurityHeaders_AreOnEveryResponse(string outcome)
    {
        var response = await ProduceAsync(outcome);

        Assert.Equal(ExpectedStatus(outcome), response.StatusCode);
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Single(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Single(response, "X-Frame-Options"));
        Assert.Equal("0", Single(response, "X-XSS-Protection"));
        Assert.Equal("strict-origin-when-cross-origin", Single(response, "Referrer-Policy"));
        Assert.Equal("geolocation=(), microphone=(), camera=()", Single(response, "Permissions-Policy"));
        Assert.False(response.Headers.Contains("Server"), "the Server header names the software");
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS belongs on HTTPS responses only");
        Assert.False(response.Headers.Contains("X-Powered-By"));
    }

    [Fact]
    public void ServerHeader_IsSwitchedOffInKestrel()
    {
        // The in-process test server never writes a Server header; the real server would, unless told not to.
        _ = fixture.CreateClient();
        var kestrel = fixture.Api.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;

        Assert.False(kestrel.AddServerHeader);
    }

    [Fact]
    public void KestrelBuffers_ComeFromThe32KiBBlockPool_NotTheDefault4KiBOne()
    {
        // The socket transport takes its memory pool factory from dependency injection.
        _ = fixture.CreateClient();
        var factory = fixture.Api.Services.GetRequiredService<IMemoryPoolFactory<byte>>();

        Assert.IsType<LargeBlockMemoryPoolFactory>(factory);
        using var pool = factory.Create();
        Assert.Equal(32 * 1024, pool.MaxBufferSize);
    }

    [Theory]
    [InlineData("/auth/me")]
    [InlineData("/auth/login")]
    [InlineData("/admin/users")]
    [InlineData("/admin/security/blocked-ips")]
    public async Task AuthAndAdminResponses_AreNotCached(string path)
    {
        var method = path == "/auth/login" ? HttpMethod.Post : HttpMethod.Get;
        var body = path == "/auth/login" ? new { username = "admin", password = TestSettings.AdminPassword } : null;

        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), method, path,
            path.StartsWith("/admin", StringComparison.Ordinal) ? await fixture.AdminAsync() : null, body);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"{path}: {(int)response.StatusCode}");
        Assert.True(response.Headers.CacheControl?.NoStore, $"{path} lacks Cache-Control: no-store");
    }

    [Theory]
    [InlineData("/health/live", EdgeFixture.AllowedOrigin)]
    [InlineData(EdgeRequests.Me, EdgeFixture.AllowedOrigin)]
    [InlineData(EdgeRequests.Me, EdgeFixture.OtherAllowedOrigin)]
    public async Task Cors_AnAllowedOrigin_IsEchoed_AndMayReadTheRateLimitHeaders(string path, string origin)
    {
        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Get, path,
            configure: r => r.Headers.Add("Origin", origin));

        Assert.Equal(origin, Single(response, "Access-Control-Allow-Origin"));
        var exposed = ListHeader(response, "Access-Control-Expose-Headers");
        Assert.Contains("x-ratelimit-remaining", exposed);
        Assert.Contains("x-ratelimit-reset", exposed);
        Assert.Contains("origin", response.Headers.Vary.Select(v => v.ToLowerInvariant()));
    }

    [Fact]
    public async Task Cors_ARateLimitedResponse_IsStillReadableByAnAllowedOrigin()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        HttpResponseMessage response;
        do
        {
            response = await http.SendFromAsync(ip, HttpMethod.Get, EdgeRequests.Me, configure: r => r.Headers.Add("Origin", EdgeFixture.AllowedOrigin));
        }
        while (response.StatusCode != HttpStatusCode.TooManyRequests);

        Assert.Equal(EdgeFixture.AllowedOrigin, Single(response, "Access-Control-Allow-Origin"));
        Assert.True(response.Headers.Contains("Retry-After"));
    }

    [Theory]
    [InlineData(DeniedOrigin)]
    [InlineData("http://console.example.test")]
    [InlineData("https://console.example.test.evil.test")]
    [InlineData("null")]
    public async Task Cors_AnOriginNotOnTheList_GetsNoAllowOrigin(string origin)
    {
        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Get, "/health/live",
            configure: r => r.Headers.Add("Origin", origin));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Cors_Preflight_FromAnAllowedOrigin_AllowsTheContractsMethodsAndHeaders_For3600s()
    {
        var response = await PreflightAsync(EdgeFixture.AllowedOrigin, "PATCH", "authorization,content-type");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(EdgeFixture.AllowedOrigin, Single(response, "Access-Control-Allow-Origin"));
        var methods = ListHeader(response, "Access-Control-Allow-Methods");
        foreach (var method in new[] { "get", "post", "put", "patch", "delete" })
        {
            Assert.Contains(method, methods);
        }

        var headers = ListHeader(response, "Access-Control-Allow-Headers");
        Assert.Contains("authorization", headers);
        Assert.Contains("content-type", headers);
        Assert.Equal("3600", Single(response, "Access-Control-Max-Age"));
    }

    [Fact]
    public async Task Cors_PreflightFromABlockedIp_Is403IpBlocked_NotAnswered()
    {
        var ip = EdgeFixture.NewIp();
        await fixture.CreateClient().SendThreatsFromAsync(ip, EdgeFixture.MaxThreats);

        var response = await PreflightAsync(EdgeFixture.AllowedOrigin, "PATCH", "authorization,content-type", ip);

        await response.AssertBlockedAsync();
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task Hsts_BehindATlsTerminatingTrustedProxy_IsSent()
    {
        var response = await fixture.CreateClient().SendFromAsync("10.20.255.1", HttpMethod.Get, "/health/live",
            configure: r => r.Headers.Add("X-Forwarded-Proto", "https"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000; includeSubDomains", Single(response, "Strict-Transport-Security"));
    }

    [Fact]
    public async Task ForgedForwardedProto_FromAnUntrustedClient_IsIgnored()
    {
        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Get, "/health/live",
            configure: r => r.Headers.Add("X-Forwarded-Proto", "https"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "a client claimed HTTPS itself");
    }

    [Fact]
    public async Task Cors_Preflight_FromAnOriginNotOnTheList_GrantsNothing()
    {
        var response = await PreflightAsync(DeniedOrigin, "PATCH", "authorization,content-type");

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Headers"));
    }

    [Theory]
    [InlineData("TRACE", "authorization", "trace", null)]
    [InlineData("CONNECT", "authorization", "connect", null)]
    [InlineData("PATCH", "authorization,x-custom-header", null, "x-custom-header")]
    public async Task Cors_Preflight_NeverAllowsAMethodOrHeaderBeyondTheContract(
        string method, string headers, string? refusedMethod, string? refusedHeader)
    {
        var response = await PreflightAsync(EdgeFixture.AllowedOrigin, method, headers);

        // The browser enforces a preflight by comparing what it asked with what is allowed.
        if (refusedMethod is not null)
        {
            Assert.DoesNotContain(refusedMethod, ListHeader(response, "Access-Control-Allow-Methods"));
        }

        if (refusedHeader is not null)
        {
            Assert.DoesNotContain(refusedHeader, ListHeader(response, "Access-Control-Allow-Headers"));
        }
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://*.example.test")]
    [InlineData("https://console.example.test/app")]
    [InlineData("console.example.test")]
    public async Task Cors_AWildcardOrMalformedOrigin_StopsTheApiFromStarting(string origin)
    {
        await using var api = new ApiHost(fixture.Cluster);
        using var misconfigured = api.WithWebHostBuilder(b => b.UseSetting("Cors:AllowedOrigins:0", origin));

        var error = Record.Exception(() => misconfigured.CreateClient());

        Assert.NotNull(error);
        var refusal = Flatten(error).OfType<InvalidOperationException>().FirstOrDefault(e => e.Message.Contains("Cors:AllowedOrigins"));
        Assert.True(refusal is not null, $"expected an InvalidOperationException naming Cors:AllowedOrigins, got {error}");
    }

    private async Task<HttpResponseMessage> ProduceAsync(string outcome)
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        switch (outcome)
        {
            case "200":
                return await http.GetFromAsync(ip, EdgeRequests.Me, await fixture.AdminAsync());
            case "200-health":
                return await http.GetFromAsync(ip, "/health/live");
            case "401":
                return await http.GetFromAsync(ip, EdgeRequests.Me);
            case "404":
                return await http.GetFromAsync(ip, "/no/such/resource");
            case "400-suspicious":
                return await http.SendThreatFromAsync(ip);
            case "403-blocked":
                await http.SendThreatsFromAsync(ip, EdgeFixture.MaxThreats);
                return await http.GetFromAsync(ip, EdgeRequests.Me);
            default:
                HttpResponseMessage response;
                do
                {
                    response = await http.GetFromAsync(ip, EdgeRequests.Me);
                }
                while (response.StatusCode == HttpStatusCode.Unauthorized);

                return response;
        }
    }

    private static HttpStatusCode ExpectedStatus(string outcome) => (HttpStatusCode)int.Parse(outcome[..3], System.Globalization.CultureInfo.InvariantCulture);

    private Task<HttpResponseMessage> PreflightAsync(string origin, string method, string headers, string? ip = null) =>
        fixture.CreateClient().SendFromAsync(ip ?? EdgeFixture.NewIp(), HttpMethod.Options, "/admin/users", configure: r =>
        {
            r.Headers.Add("Origin", origin);
            r.Headers.Add("Access-Control-Request-Method", method);
            r.Headers.Add("Access-Control-Request-Headers", headers);
        });

    private static string Single(HttpResponseMessage response, string name)
    {
        Assert.True(response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values),
            $"the {(int)response.StatusCode} response lacks {name}");
        return Assert.Single(values);
    }

    private static string[] ListHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
            ? values.SelectMany(v => v.Split(',')).Select(v => v.Trim().ToLowerInvariant()).ToArray()
            : [];

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
