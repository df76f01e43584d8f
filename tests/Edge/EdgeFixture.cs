using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// A cluster and an API with the edge's limits set back to small, real values (TestSettings
/// raises them for the other test classes), a trusted proxy range, an allowlist and one allowed
/// CORS origin. Every test speaks from its own client IPs, so tests do not eat each other's limits;
/// the administrator's requests come from fresh IPs too, never from an IP under test.
/// </summary>
public class EdgeFixture : ApiFixture
{
    public const int DefaultLimit = 5;
    public const int DefaultWindow = 60;
    public const int LoginLimit = 4;
    public const int LoginWindow = 300;
    public const int SearchLimit = 4;
    public const int UploadLimit = 2;
    public const int FramesLimit = 6;
    public const int MaxThreats = 5;
    public const int MaxFailedLogins = 3;

    /// <summary>Proxies whose X-Forwarded-For is believed.</summary>
    public const string TrustedProxyRange = "10.20.0.0/16";

    /// <summary>Never blocked (Threats:Allowlist).</summary>
    public const string AllowlistedRange = "198.51.100.0/28";

    public const string AllowedOrigin = "https://console.example.test";
    public const string OtherAllowedOrigin = "http://localhost:3000";

    private static int _nextIp = Random.Shared.Next(1 << 17);
    private readonly Lazy<Task<string>> _adminToken;

    public EdgeFixture() => _adminToken = new(() => CreateClient().LoginAsync("admin", TestSettings.AdminPassword, NewIp()));

    protected override TestSettings CreateSettings() => new() { Overrides = Overrides() };

    /// <summary>The edge configuration of this fixture, for tests that start their own cluster with it.</summary>
    public static Dictionary<string, string?> Overrides() => new()
    {
        ["RateLimiting:Rules:default:Limit"] = $"{DefaultLimit}",
        ["RateLimiting:Rules:default:WindowSeconds"] = $"{DefaultWindow}",
        ["RateLimiting:Rules:login:Limit"] = $"{LoginLimit}",
        ["RateLimiting:Rules:login:WindowSeconds"] = $"{LoginWindow}",
        ["RateLimiting:Rules:search:Limit"] = $"{SearchLimit}",
        ["RateLimiting:Rules:search:WindowSeconds"] = "60",
        ["RateLimiting:Rules:upload:Limit"] = $"{UploadLimit}",
        ["RateLimiting:Rules:upload:WindowSeconds"] = "60",
        ["RateLimiting:Rules:frames:Limit"] = $"{FramesLimit}",
        ["RateLimiting:Rules:frames:WindowSeconds"] = "60",
        ["RateLimiting:TrustedProxies:0"] = TrustedProxyRange,
        // These tests count every request at the client's grain; LocalAdmissionTests covers the local share.
        ["RateLimiting:LocalAdmissionShare"] = "0",
        ["Threats:MaxThreats"] = $"{MaxThreats}",
        ["Threats:MaxFailedLogins"] = $"{MaxFailedLogins}",
        ["Threats:WindowSeconds"] = "3600",
        ["Threats:BlockSeconds"] = "3600",
        ["Threats:Allowlist:0"] = AllowlistedRange,
        ["Cors:AllowedOrigins:0"] = AllowedOrigin,
        ["Cors:AllowedOrigins:1"] = OtherAllowedOrigin,
    };

    /// <summary>A client IP no other test of this process uses (198.18.0.0/15, the benchmarking range).</summary>
    public static string NewIp()
    {
        var n = Interlocked.Increment(ref _nextIp) & ((1 << 17) - 1);
        return $"198.{18 + (n >> 16)}.{(n >> 8) & 0xFF}.{n & 0xFF}";
    }

    /// <summary>The bootstrap admin's token, logged in once from an IP of its own.</summary>
    public Task<string> AdminAsync() => _adminToken.Value;

    /// <summary>An admin request, from a fresh IP so that it never counts against an IP under test.</summary>
    public async Task<HttpResponseMessage> AdminSendAsync(HttpMethod method, string path, object? body = null) =>
        await CreateClient().SendFromAsync(NewIp(), method, path, await AdminAsync(), body);

    /// <summary>GET /admin/security/ips/{ip}: what the edge knows of the IP.</summary>
    public async Task<JsonNode> IpStatusAsync(string ip)
    {
        var response = await AdminSendAsync(HttpMethod.Get, $"/admin/security/ips/{Uri.EscapeDataString(ip)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    /// <summary>Requests of <paramref name="rule"/> the IP has spent in the current window (0 when none).</summary>
    public async Task<int> UsedAsync(string ip, string rule)
    {
        var windows = (await IpStatusAsync(ip))["rate_windows"]!.AsArray();
        return windows.FirstOrDefault(w => w!["rule"]!.GetValue<string>() == rule)?["used"]!.GetValue<int>() ?? 0;
    }

    /// <summary>Creates a user through the admin API (from a fresh IP) and returns a token of theirs.</summary>
    public async Task<string> UserTokenAsync(params string[] roles)
    {
        var username = "edge" + Guid.NewGuid().ToString("N")[..10];
        const string password = TestSettings.UserPassword;
        var created = await AdminSendAsync(HttpMethod.Post, "/admin/users",
            new { username, password, email = $"{username}@example.test", roles });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await CreateClient().LoginAsync(username, password, NewIp());
    }
}

/// <summary>Requests from a chosen client IP.</summary>
public static class EdgeRequests
{
    public const string Me = "/auth/me";

    /// <summary>A request on the frames rule, which has room for <see cref="EdgeFixture.MaxThreats"/> threats and more.</summary>
    public const string FramePath = "/surveillance/frame/x/metadata";

    public static Task<HttpResponseMessage> SendFromAsync(this HttpClient http, string ip, HttpMethod method, string path,
        string? token = null, object? body = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ApiHost.ClientIpHeader, ip);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is HttpContent content)
        {
            request.Content = content;
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        configure?.Invoke(request);
        return http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> GetFromAsync(this HttpClient http, string ip, string path, string? token = null) =>
        http.SendFromAsync(ip, HttpMethod.Get, path, token);

    /// <summary>One intrusion attempt (a UNION-based SQL injection in the query) on the frames rule.</summary>
    public static Task<HttpResponseMessage> SendThreatFromAsync(this HttpClient http, string ip) =>
        http.GetFromAsync(ip, FramePath + "?q=" + Uri.EscapeDataString("1 union select password from users"));

    /// <summary>Sends <paramref name="count"/> intrusion attempts, each of which must be answered 400 SUSPICIOUS_INPUT.</summary>
    public static async Task SendThreatsFromAsync(this HttpClient http, string ip, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await (await http.SendThreatFromAsync(ip)).AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
        }
    }

    public static async Task AssertBlockedAsync(this HttpResponseMessage response)
    {
        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "IP_BLOCKED");
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 86_400);
    }

    /// <summary>True for 400 SUSPICIOUS_INPUT: what a false alarm must never be.</summary>
    public static async Task<bool> IsSuspiciousInputAsync(this HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.BadRequest
        && (await response.ReadJsonAsync())["error_code"]?.GetValue<string>() == "SUSPICIOUS_INPUT";

    public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
