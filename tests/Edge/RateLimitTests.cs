using System.Globalization;
using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// API.md "Rate limits": per client IP, per rule, sliding window, cluster-wide; every admitted
/// response says how much is left, and a refused one says when to come back.
/// </summary>
public sealed class RateLimitTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    public static TheoryData<string, string, string, int, int> Rules => new()
    {
        // rule, method, path, limit, window
        { "upload", "POST", "/surveillance/upload", EdgeFixture.UploadLimit, 60 },
        { "search", "POST", "/surveillance/search", EdgeFixture.SearchLimit, 60 },
        { "login", "POST", "/auth/login", EdgeFixture.LoginLimit, EdgeFixture.LoginWindow },
        { "frames", "GET", "/surveillance/frame/x/metadata", EdgeFixture.FramesLimit, 60 },
        { "default", "GET", "/auth/me", EdgeFixture.DefaultLimit, EdgeFixture.DefaultWindow },
        { "default", "GET", "/no/such/resource", EdgeFixture.DefaultLimit, EdgeFixture.DefaultWindow },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task EachRule_AdmitsExactlyItsLimit_WithRateLimitHeaders_Then429WithRetryAfter(
        string rule, string method, string path, int limit, int window)
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();

        for (var i = 0; i < limit; i++)
        {
            var admitted = await SendAsync(http, ip, method, path);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, admitted.StatusCode);
            Assert.Equal(limit, Header(admitted, "X-RateLimit-Limit"));
            Assert.Equal(limit - i - 1, Header(admitted, "X-RateLimit-Remaining"));
            Assert.InRange(Header(admitted, "X-RateLimit-Reset"), EdgeRequests.UnixNow(), EdgeRequests.UnixNow() + window + 1);
        }

        var refused = await SendAsync(http, ip, method, path);

        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.InRange(Header(refused, "Retry-After"), 1, window);
        Assert.Equal(0, Header(refused, "X-RateLimit-Remaining"));
        Assert.Equal(limit, await fixture.UsedAsync(ip, rule));
    }

    [Fact]
    public async Task RateLimitHeaders_AreAlsoOnErrorsAnsweredByTheExceptionHandler_AFailedLogin()
    {
        var ip = EdgeFixture.NewIp();

        var failed = await fixture.CreateClient().PostLoginAsync("nobody-here", "not the password", ip);

        await failed.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal(EdgeFixture.LoginLimit, Header(failed, "X-RateLimit-Limit"));
        Assert.Equal(EdgeFixture.LoginLimit - 1, Header(failed, "X-RateLimit-Remaining"));
        Assert.InRange(Header(failed, "X-RateLimit-Reset"), EdgeRequests.UnixNow(), EdgeRequests.UnixNow() + EdgeFixture.LoginWindow + 1);
    }

    [Theory]
    [InlineData("/auth/login/")]
    [InlineData("/AUTH/LOGIN")]
    [InlineData("/auth/Login")]
    [InlineData("/auth//login")]
    [InlineData("//auth/login")]
    [InlineData("/auth/%6Cogin")]
    [InlineData("/auth/login?grant_type=password")]
    public async Task LoginLimit_CannotBeDodgedByWritingThePathDifferently(string variant)
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        for (var i = 0; i < EdgeFixture.LoginLimit; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await SendAsync(http, ip, "POST", "/auth/login")).StatusCode);
        }

        var dodge = await http.SendFromAsync(ip, HttpMethod.Post, variant,
            body: new { username = "admin", password = TestSettings.AdminPassword });

        Assert.True(dodge.StatusCode != HttpStatusCode.OK, $"{variant} logged in past the login limit");
    }

    [Fact]
    public async Task Rules_AreSeparate_AnExhaustedLoginLimitLeavesOtherPathsOpen()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        for (var i = 0; i < EdgeFixture.LoginLimit; i++)
        {
            await SendAsync(http, ip, "POST", "/auth/login");
        }

        await (await SendAsync(http, ip, "POST", "/auth/login")).AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");

        var other = await http.GetFromAsync(ip, EdgeRequests.Me);
        await other.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal(EdgeFixture.DefaultLimit - 1, Header(other, "X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Limits_ArePerClientIp_AnotherIpIsNotThrottledByTheFirst()
    {
        var http = fixture.CreateClient();
        var noisy = EdgeFixture.NewIp();
        for (var i = 0; i <= EdgeFixture.DefaultLimit; i++)
        {
            await http.GetFromAsync(noisy, EdgeRequests.Me);
        }

        await (await http.GetFromAsync(noisy, EdgeRequests.Me)).AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        var quiet = await http.GetFromAsync(EdgeFixture.NewIp(), EdgeRequests.Me);
        await quiet.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_IsNeverRateLimited(string path)
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();

        for (var i = 0; i < 50; i++)
        {
            var response = await http.GetFromAsync(ip, path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("X-RateLimit-Limit"), "health responses carry no rate-limit headers");
            Assert.False(response.Headers.Contains("X-RateLimit-Remaining"));
        }

        Assert.Equal(0, await fixture.UsedAsync(ip, "default"));
    }

    [Fact]
    public async Task LoginLimit_IsExact_AcrossTwoApiInstances()
    {
        await using var instance1 = new ApiHost(fixture.Cluster);
        await using var instance2 = new ApiHost(fixture.Cluster);
        HttpClient[] instances = [instance1.CreateClient(), instance2.CreateClient()];
        var ip = EdgeFixture.NewIp();
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 3 * EdgeFixture.LoginLimit; i++)
        {
            var response = await instances[i % 2].PostLoginAsync("admin", TestSettings.AdminPassword, ip);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await response.AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, EdgeFixture.LoginLimit), statuses.Take(EdgeFixture.LoginLimit));
        Assert.All(statuses.Skip(EdgeFixture.LoginLimit), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(EdgeFixture.LoginLimit, await fixture.UsedAsync(ip, "login"));
    }

    [Fact]
    public async Task DefaultLimit_IsExact_UnderConcurrentRequestsThroughTwoApiInstances()
    {
        await using var instance1 = new ApiHost(fixture.Cluster);
        await using var instance2 = new ApiHost(fixture.Cluster);
        HttpClient[] instances = [instance1.CreateClient(), instance2.CreateClient()];
        var ip = EdgeFixture.NewIp();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4 * EdgeFixture.DefaultLimit)
            .Select(i => instances[i % 2].GetFromAsync(ip, EdgeRequests.Me)));

        Assert.Equal(EdgeFixture.DefaultLimit, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(3 * EdgeFixture.DefaultLimit, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string ip, string method, string path) =>
        // Login gets a body without a password: 400 before any credential check, so no failed login is counted.
        http.SendFromAsync(ip, new HttpMethod(method), path,
            body: path == "/auth/login" ? new { username = "nobody" } : method == "POST" ? new { query = "a person" } : null);

    private static long Header(HttpResponseMessage response, string name)
    {
        Assert.True(response.Headers.TryGetValues(name, out var values), $"the response lacks {name}");
        return long.Parse(Assert.Single(values), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
