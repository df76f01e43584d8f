using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// API.md "intrusion detection": the decoded path, the query and the string fields of JSON and
/// form bodies are inspected for SQL injection, script injection, path traversal, command
/// injection and /etc/passwd, however many times they are URL-encoded; a match is 400
/// SUSPICIOUS_INPUT before authentication and counts as a threat. Ordinary text passes.
/// </summary>
public sealed class IntrusionDetectionTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    private const string Password = "irrelevant password";

    /// <summary>family, payload as the application would see it once decoded.</summary>
    private static readonly (string Family, string Payload)[] Payloads =
    [
        ("sqli-tautology", "' OR '1'='1"),
        ("sqli-union", "1 union select password from users"),
        ("xss-script-tag", "<script>alert(1)</script>"),
        ("xss-javascript-url", "javascript:alert(1)"),
        ("xss-event-handler", "<img src=x onerror=alert(1)>"),
        ("traversal", "../../etc/passwd"),
        ("traversal-backslash", "..\\..\\windows\\system.ini"),
        ("traversal-encoded", "..%2f..%2fsecret.txt"),
        ("traversal-double-encoded", "%252e%252e%252fsecret.txt"),
        ("command-shell", ";/bin/sh"),
        ("command-cmd-exe", "cmd.exe /c dir"),
        ("sensitive-file", "/etc/passwd"),
    ];

    /// <summary>Each payload plain, URL-encoded once and URL-encoded twice (on top of the transport's own encoding).</summary>
    public static TheoryData<string, string, int> Attacks()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (family, payload) in Payloads)
        {
            for (var layers = 0; layers <= 2; layers++)
            {
                data.Add(family, payload, layers);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Threat_InThePath_Is400SuspiciousInput(string family, string payload, int encodings)
    {
        var response = await fixture.CreateClient().GetFromAsync(EdgeFixture.NewIp(),
            "/surveillance/videos/" + Uri.EscapeDataString(Encode(payload, encodings)));

        await AssertRefusedAsync(response, family);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Threat_InTheQueryString_Is400SuspiciousInput(string family, string payload, int encodings)
    {
        var response = await fixture.CreateClient().GetFromAsync(EdgeFixture.NewIp(),
            "/surveillance/videos?project_id=p1&q=" + Uri.EscapeDataString(Encode(payload, encodings)));

        await AssertRefusedAsync(response, family);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Threat_InAJsonStringField_Is400SuspiciousInput_BeforeAuthentication(string family, string payload, int encodings)
    {
        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/auth/login",
            body: new { username = Encode(payload, encodings), password = Password });

        await AssertRefusedAsync(response, family);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Threat_InAFormField_Is400SuspiciousInput_BeforeAuthentication(string family, string payload, int encodings)
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = Encode(payload, encodings),
            ["password"] = Password,
        });

        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/auth/login", body: form);

        await AssertRefusedAsync(response, family);
    }

    [Fact]
    public async Task Threat_InAnAdminRequest_IsRefusedBeforeAuthentication_AnonymousViewerAndAdminAlike()
    {
        var http = fixture.CreateClient();
        var username = "edge" + Guid.NewGuid().ToString("N")[..10];
        var body = new { username, password = TestSettings.UserPassword, email = "<script>alert(1)</script>@example.test" };

        var anonymous = await http.SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/admin/users", body: body);
        var viewer = await http.SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/admin/users", await fixture.UserTokenAsync("viewer"), body);
        var admin = await http.SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/admin/users", await fixture.AdminAsync(), body);

        await anonymous.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
        await viewer.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
        await admin.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
        await (await fixture.AdminSendAsync(HttpMethod.Get, $"/admin/users/{username}")).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("""{"username":"ok","password":"x","roles":["viewer","' OR '1'='1"]}""")]
    [InlineData("""{"username":"ok","password":"x","profile":{"bio":{"text":"<script>alert(1)</script>"}}}""")]
    [InlineData("""{"username":"ok","password":"x","<script>alert(1)</script>":"member name"}""")]
    [InlineData("""{"username":"..\u002f..\u002fetc\u002fpasswd","password":"x"}""")]
    public async Task Threat_NestedAnywhereInAJsonBody_Is400SuspiciousInput(string json)
    {
        var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/auth/login", body: content);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    public async Task Threat_InAJsonBodyOfAnotherCharset_IsStillRefused(string charset)
    {
        var encoding = System.Text.Encoding.GetEncoding(charset);
        var content = new ByteArrayContent(encoding.GetBytes("""{"username":"admin' OR '1'='1","password":"irrelevant password"}"""));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = charset };

        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/auth/login", body: content);

        // Either inspected and refused as a threat, or refused as not UTF-8 (RFC 8259 §8.1): never handed to
        // the endpoint, whose binder would transcode it, without inspection.
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType,
            $"a {charset} JSON body reached the endpoint uninspected: {(int)response.StatusCode}");
        await response.AssertProblemAsync(response.StatusCode,
            response.StatusCode == HttpStatusCode.BadRequest ? "SUSPICIOUS_INPUT" : "UNSUPPORTED_FORMAT");
    }

    [Fact]
    public async Task EachFamily_IsRecordedAsAThreatOfThatKind_AgainstTheClientIp()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        string[] payloads = ["' OR '1'='1", "<script>alert(1)</script>", "../../secret.txt", ";/bin/sh"];
        foreach (var payload in payloads)
        {
            await (await http.GetFromAsync(ip, EdgeRequests.FramePath + "?q=" + Uri.EscapeDataString(payload)))
                .AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
        }

        var other = EdgeFixture.NewIp();
        await (await http.GetFromAsync(other, EdgeRequests.FramePath + "?file=" + Uri.EscapeDataString("/etc/passwd")))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");

        Assert.Equal(
            ["malicious_sqli", "malicious_xss", "malicious_path_traversal", "malicious_cmd_injection"],
            (await fixture.IpStatusAsync(ip))["threats"]!.AsArray().Select(t => t!["event_name"]!.GetValue<string>()));
        Assert.Equal(
            ["malicious_sensitive_file"],
            (await fixture.IpStatusAsync(other))["threats"]!.AsArray().Select(t => t!["event_name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("person dropping a bag")]
    [InlineData("select a camera")]
    [InlineData("union station")]
    [InlineData("O'Brien's car")]
    [InlineData("front door; back door")]
    [InlineData("red car & blue van")]
    [InlineData("100% sure")]
    [InlineData("x < y and y > z")]
    public async Task FalseAlarm_OrdinaryTextInTheQueryString_PassesTheEdge_AndIsNoThreat(string text)
    {
        var ip = EdgeFixture.NewIp();

        var response = await fixture.CreateClient().GetFromAsync(ip, "/surveillance/videos?q=" + Uri.EscapeDataString(text));

        Assert.False(await response.IsSuspiciousInputAsync(), $"'{text}' was taken for an attack");
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty((await fixture.IpStatusAsync(ip))["threats"]!.AsArray());
    }

    [Fact]
    public async Task FalseAlarm_AnApostropheInAUsername_IsAnOrdinaryFailedLogin()
    {
        var http = fixture.CreateClient();
        var json = await http.SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/auth/login",
            body: new { username = "O'Brien at the gate", password = Password });
        var form = await http.SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/auth/login",
            body: new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "O'Brien at the gate", ["password"] = Password }));

        await json.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await form.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Theory]
    [InlineData("'; DROP TABLE users; --")]
    [InlineData("x' OR '1'='1")]
    [InlineData("person dropping a bag")]
    public async Task FalseAlarm_SqlWordsInASearchQuery_AreData_NotSuspiciousInput(string query)
    {
        var ip = EdgeFixture.NewIp();

        var response = await fixture.CreateClient().SendFromAsync(ip, HttpMethod.Post, "/surveillance/search",
            await fixture.AdminAsync(), new { query, limit = 5 });

        Assert.False(await response.IsSuspiciousInputAsync(), $"the search '{query}' was taken for an attack");
        Assert.Empty((await fixture.IpStatusAsync(ip))["threats"]!.AsArray());
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("../../etc/passwd")]
    public async Task SearchQuery_StillRefusesScriptAndTraversalPayloads(string query)
    {
        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/surveillance/search",
            await fixture.AdminAsync(), new { query });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
    }

    [Fact]
    public async Task SqlWords_OutsideTheSearchQuery_AreStillRefused()
    {
        var response = await fixture.CreateClient().SendFromAsync(EdgeFixture.NewIp(), HttpMethod.Post, "/surveillance/search",
            await fixture.AdminAsync(), new { query = "a person", project_id = "' OR '1'='1" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
    }

    private static string Encode(string payload, int layers)
    {
        for (var i = 0; i < layers; i++)
        {
            payload = Uri.EscapeDataString(payload);
        }

        return payload;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string family)
    {
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{family}: expected 400, got {(int)response.StatusCode}");
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
    }
}
