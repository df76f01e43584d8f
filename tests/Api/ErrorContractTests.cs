using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Api;

/// <summary>API.md "General" and "Headers on every response": the shape of every error and the headers on every answer.</summary>
public sealed partial class ErrorContractTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const string RequestIdHeader = "X-Request-Id";

    /// <summary>Text that betrays the implementation: stack frames, exception types, the driver, the runtime.</summary>
    private static readonly string[] ImplementationLeaks = ["Exception", "   at ", "Npgsql", "Orleans.", "System.", ".cs:line"];

    /// <summary>One request per kind of answer the contract covers; every one must carry the same headers.</summary>
    public static TheoryData<string> Scenarios => new(ContractScenario.All.Keys);

    public static TheoryData<string> AuthAndAdminScenarios => new(ContractScenario.All
        .Where(s => s.Value.Path.StartsWith("/auth/", StringComparison.Ordinal) || s.Value.Path.StartsWith("/admin/", StringComparison.Ordinal))
        .Select(s => s.Key));

    public static TheoryData<string> ErrorScenarios => new(ContractScenario.All.Where(s => (int)s.Value.Status >= 400).Select(s => s.Key));

    [Fact]
    public async Task UnknownRoute_Is404ProblemJson_WithEveryMember()
    {
        const string path = "/no/such/route";
        var response = await fixture.CreateIsolatedClient().GetAsync(path);

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(path, problem["path"]!.GetValue<string>());
        Assert.Equal(404, problem["status"]!.GetValue<int>());
        ContractAssert.UtcTimestamp(problem["timestamp"]!.GetValue<string>());
        Assert.Equal(Header(response, RequestIdHeader), problem["request_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("GET", "/auth/login", "POST")]
    [InlineData("DELETE", "/auth/me", "GET")]
    [InlineData("PUT", "/admin/users", "POST")]
    public async Task WrongMethod_Is405ProblemJson_WithAllow_Not404Or500(string method, string path, string allowed)
    {
        var response = await fixture.CreateIsolatedClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(405, problem["status"]?.GetValue<int>());
        foreach (var member in new[] { "type", "title", "detail", "error_code", "request_id", "timestamp", "path" })
        {
            Assert.False(string.IsNullOrEmpty(problem[member]?.ToString()), $"problem+json lacks '{member}'");
        }

        Assert.Equal(path, problem["path"]!.GetValue<string>());
        Assert.Contains(allowed, response.Content.Headers.Allow); // RFC 9110 §15.5.6: a 405 names the methods that work
    }

    [Theory]
    [InlineData("/admin/users", "{not json")]
    [InlineData("/admin/users", "{\"username\":")]
    [InlineData("/admin/users", "[1,2,3]")]
    [InlineData("/admin/users", "{\"username\":12,\"password\":[],\"email\":{}}")]
    [InlineData("/admin/users", "{} trailing")]
    [InlineData("/auth/change-password", "{not json")]
    [InlineData("/auth/change-password", "\"just a string\"")]
    [InlineData("/auth/change-password", "{\"old_password\":12,\"new_password\":true}")]
    public async Task MalformedJson_Is400ValidationError_Not500(string path, string body)
    {
        var response = await SendAsync(HttpMethod.Post, path, await fixture.AdminTokenOnceAsync(),
            new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNoImplementationLeak(problem.ToJsonString());
    }

    [Theory]
    [InlineData("/admin/users", "text/plain")]
    [InlineData("/admin/users", "application/xml")]
    [InlineData("/auth/change-password", "text/plain")]
    [InlineData("/auth/login", "text/plain")]
    [InlineData("/auth/login", "application/xml")]
    public async Task WrongContentType_Is415UnsupportedFormat(string path, string contentType)
    {
        var response = await SendAsync(HttpMethod.Post, path, await fixture.AdminTokenOnceAsync(),
            new StringContent("username=admin&password=whatever", Encoding.UTF8, contentType));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_FORMAT");
    }

    [Theory]
    [MemberData(nameof(ErrorScenarios))]
    public async Task ErrorBody_NeverLeaksStackTraceOrExceptionType(string scenario)
    {
        var (response, expected) = await SendScenarioAsync(scenario);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        AssertNoImplementationLeak(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RequestId_SafeToken_IsEchoed_InTheHeaderAndTheProblem()
    {
        const string offered = "abc-123._X";
        var ok = await SendAsync(HttpMethod.Get, "/health/live", null, null, offered);
        var notFound = await SendAsync(HttpMethod.Get, "/no/such/route", null, null, offered);

        Assert.Equal(offered, Header(ok, RequestIdHeader));
        Assert.Equal(offered, Header(notFound, RequestIdHeader));
        Assert.Equal(offered, (await notFound.ReadJsonAsync())["request_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("bad id!")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65 characters
    [InlineData("<script>alert(1)</script>")]
    [InlineData("a/b\\c")]
    [InlineData("id;rm -rf")]
    public async Task RequestId_UnsafeToken_IsReplaced_NeverEchoed(string offered)
    {
        var response = await SendAsync(HttpMethod.Get, "/no/such/route", null, null, offered);

        var id = Header(response, RequestIdHeader);
        Assert.NotEqual(offered, id);
        Assert.Matches(SafeToken(), id);
        Assert.Equal(id, (await response.ReadJsonAsync())["request_id"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task RequestId_IsOnEveryResponse_AndEqualsTheProblemsRequestId(string scenario)
    {
        var (response, expected) = await SendScenarioAsync(scenario);

        Assert.Equal(expected, response.StatusCode);
        var id = Header(response, RequestIdHeader);
        Assert.Matches(SafeToken(), id);
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            Assert.Equal(id, (await response.ReadJsonAsync())["request_id"]!.GetValue<string>());
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task SecurityHeaders_AreOnEveryResponse_WithoutServerOrHstsOnHttp(string scenario)
    {
        var (response, expected) = await SendScenarioAsync(scenario);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("0", Header(response, "X-XSS-Protection"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.Equal("geolocation=(), microphone=(), camera=()", Header(response, "Permissions-Policy"));
        Assert.False(response.Headers.Contains("Server"), "the Server header names the software");
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS belongs on HTTPS responses only");
    }

    [Theory]
    [MemberData(nameof(AuthAndAdminScenarios))]
    public async Task AuthAndAdminResponses_AreNeverCached(string scenario)
    {
        var (response, expected) = await SendScenarioAsync(scenario);

        Assert.Equal(expected, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control was '{response.Headers.CacheControl}'");
    }

    private async Task<(HttpResponseMessage Response, HttpStatusCode Expected)> SendScenarioAsync(string name)
    {
        var scenario = ContractScenario.All[name];
        var token = scenario.Token switch
        {
            TokenKind.Admin => await fixture.AdminTokenOnceAsync(),
            TokenKind.Garbage => "not.a.jwt",
            _ => null,
        };
        return (await SendAsync(scenario.Method, scenario.Path, token, scenario.Body?.Invoke()), scenario.Status);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, HttpContent? content, string? requestId = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation(RequestIdHeader, requestId);
        }

        return fixture.CreateIsolatedClient().SendAsync(request);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri?.AbsolutePath} has no {name} header");

    private static void AssertNoImplementationLeak(string body)
    {
        foreach (var leak in ImplementationLeaks)
        {
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SafeToken();
}

public enum TokenKind { None, Admin, Garbage }

/// <summary>A request and the status the contract gives it.</summary>
public sealed record ContractScenario(HttpMethod Method, string Path, TokenKind Token, HttpStatusCode Status, Func<HttpContent>? Body = null)
{
    public static IReadOnlyDictionary<string, ContractScenario> All { get; } = new Dictionary<string, ContractScenario>
    {
        ["200 GET /health/live"] = new(HttpMethod.Get, "/health/live", TokenKind.None, HttpStatusCode.OK),
        ["200 GET /auth/me"] = new(HttpMethod.Get, "/auth/me", TokenKind.Admin, HttpStatusCode.OK),
        ["200 GET /admin/users"] = new(HttpMethod.Get, "/admin/users", TokenKind.Admin, HttpStatusCode.OK),
        ["401 GET /auth/me without token"] = new(HttpMethod.Get, "/auth/me", TokenKind.None, HttpStatusCode.Unauthorized),
        ["401 GET /admin/users with garbage token"] = new(HttpMethod.Get, "/admin/users", TokenKind.Garbage, HttpStatusCode.Unauthorized),
        ["401 POST /auth/login wrong password"] = new(HttpMethod.Post, "/auth/login", TokenKind.None, HttpStatusCode.Unauthorized,
            () => Json(new JsonObject { ["username"] = "admin", ["password"] = "not the admin password" })),
        ["404 GET unknown route"] = new(HttpMethod.Get, "/no/such/route", TokenKind.None, HttpStatusCode.NotFound),
        ["404 GET unknown /auth route"] = new(HttpMethod.Get, "/auth/no-such-thing", TokenKind.None, HttpStatusCode.NotFound),
        ["404 GET unknown user"] = new(HttpMethod.Get, "/admin/users/nobody-by-this-name", TokenKind.Admin, HttpStatusCode.NotFound),
        ["405 GET /auth/login"] = new(HttpMethod.Get, "/auth/login", TokenKind.None, HttpStatusCode.MethodNotAllowed),
        ["400 POST /admin/users malformed JSON"] = new(HttpMethod.Post, "/admin/users", TokenKind.Admin, HttpStatusCode.BadRequest,
            () => new StringContent("{not json", Encoding.UTF8, "application/json")),
        ["415 POST /auth/login text/plain"] = new(HttpMethod.Post, "/auth/login", TokenKind.None, HttpStatusCode.UnsupportedMediaType,
            () => new StringContent("admin:password", Encoding.UTF8, "text/plain")),
    };

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}

/// <summary>API.md: an unreachable cluster is 503 <c>SERVICE_UNAVAILABLE</c> with <c>Retry-After</c>, never a 500 and never a 401.</summary>
[Collection(ClusterOutageCluster.Name)]
public sealed class ClusterOutageTests(ClusterOutageFixture fixture)
{
    [Fact]
    public async Task ClusterUnreachable_Answers503_WithRetryAfter_Not500()
    {
        // The revocation check of a valid token needs the cluster, so even /auth/me cannot be answered.
        var response = await fixture.Api.CreateClient().SendAsync(HttpMethod.Get, "/auth/me", fixture.AdminToken);

        await AssertUnavailableAsync(response, "/auth/me");
    }

    [Fact]
    public async Task ClusterUnreachable_DuringLogin_Answers503_NotTheBadCredentials401()
    {
        var response = await fixture.Api.CreateClient().PostLoginAsync("admin", TestSettings.AdminPassword);

        await AssertUnavailableAsync(response, "/auth/login");
    }

    [Fact]
    public async Task ClusterUnreachable_OnAdminEndpoint_Answers503_Not500()
    {
        var response = await fixture.Api.CreateClient().SendAsync(HttpMethod.Get, "/admin/users", fixture.AdminToken);

        await AssertUnavailableAsync(response, "/admin/users");
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response, string path)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        Assert.Equal(path, problem["path"]!.GetValue<string>());
        Assert.True(response.Headers.RetryAfter?.Delta is { } delay && delay > TimeSpan.Zero,
            $"503 without a positive Retry-After (got '{response.Headers.RetryAfter}')");
        var body = problem.ToJsonString();
        foreach (var leak in new[] { "Exception", "gateway", "Orleans", "Npgsql", "   at " })
        {
            Assert.DoesNotContain(leak, body, StringComparison.OrdinalIgnoreCase);
        }
    }
}
