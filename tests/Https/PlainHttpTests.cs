using System.Net;
using System.Net.Http.Json;

namespace Surveillance.Tests.Https;

/// <summary>
/// Plain HTTP beside the API's HTTPS: redirected (308, same URL on the HTTPS port, never HSTS over
/// HTTP — RFC 6797 §7.2) or off (no plain listener at all). And HSTS is the same header whether
/// Kestrel terminated the TLS or a trusted proxy did.
/// </summary>
[Collection(HttpsTests.Name)]
public sealed class PlainHttpTests(HttpsFixture fixture)
{
    private const string Hsts = "max-age=31536000; includeSubDomains";

    [Fact]
    public async Task PlainHttp_InRedirectMode_Is308ToTheSameUrlOnTheHttpsPort_WithoutHsts()
    {
        using var client = HttpsApi.Client(fixture.Certificates.Ca);

        using var response = await client.GetAsync(new Uri(fixture.Api.HttpBase, "/admin/users?limit=5"));

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal(new Uri($"https://127.0.0.1:{fixture.Api.HttpsPort}/admin/users?limit=5"), response.Headers.Location);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS must not be sent over plain HTTP");
    }

    [Fact]
    public async Task CredentialsPostedOverPlainHttp_AreNotProcessed_OnlyRedirected()
    {
        using var client = HttpsApi.Client(fixture.Certificates.Ca);

        using var response = await client.PostAsJsonAsync(
            new Uri(fixture.Api.HttpBase, "/auth/login"), new { username = "admin", password = Infrastructure.TestSettings.AdminPassword });

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.DoesNotContain("access_token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectTarget_ServesTheRequest_OverHttps()
    {
        using var client = HttpsApi.Client(fixture.Certificates.Ca);
        using var redirect = await client.GetAsync(new Uri(fixture.Api.HttpBase, "/health/live"));

        using var response = await client.GetAsync(redirect.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Hsts, string.Join(",", response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task PlainHttpOff_TheApiListensOnHttpsOnly()
    {
        await using var api = await HttpsApi.StartAsync(fixture.Cluster, HttpsApi.Settings(fixture.Certificates.Server, "Off", urls: "https://127.0.0.1:{https}"));
        using var client = HttpsApi.Client(fixture.Certificates.Ca);

        using var response = await client.GetAsync(new Uri(api.HttpsBase, "/health/live"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(api.Addresses, a => Assert.StartsWith("https://", a, StringComparison.Ordinal));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(api.HttpBase));
    }

    [Fact]
    public async Task Hsts_IsTheSame_WhetherKestrelOrATrustedProxyTerminatedTheTls()
    {
        await using var behindProxy = await HttpsApi.StartAsync(fixture.Cluster, new()
        {
            ["urls"] = "http://127.0.0.1:{http}",
            ["RateLimiting:TrustedProxies:0"] = "127.0.0.1/32",
        });
        using var client = HttpsApi.Client(fixture.Certificates.Ca);
        using var viaProxy = new HttpRequestMessage(HttpMethod.Get, new Uri(behindProxy.HttpBase, "/health/live"));
        viaProxy.Headers.Add("X-Forwarded-Proto", "https");

        using var proxied = await client.SendAsync(viaProxy);
        using var direct = await client.GetAsync(new Uri(fixture.Api.HttpsBase, "/health/live"));

        Assert.Equal(Hsts, string.Join(",", proxied.Headers.GetValues("Strict-Transport-Security")));
        Assert.Equal(Hsts, string.Join(",", direct.Headers.GetValues("Strict-Transport-Security")));
    }
}
