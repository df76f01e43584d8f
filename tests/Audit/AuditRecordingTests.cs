using System.Net;
using Surveillance.Api.Http;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Audit;

/// <summary>API.md "Audit": what is recorded, with which fields, and when.</summary>
public sealed class AuditRecordingTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    [Fact]
    public async Task FailedLogin_IsStoredBeforeTheResponse_WithClientIpAndUserAgent()
    {
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Post, "/auth/login",
            clientIp: "198.51.100.23", userAgent: "BruteForcer/2.0", body: new { username = "admin", password = "not the password" });
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        // Read once, no waiting: a login outcome must be on record before its answer is sent.
        var row = await fixture.FindAsync(requestId);
        Assert.NotNull(row);
        Assert.Equal("authn_login_fail", row["event"]);
        Assert.Equal("198.51.100.23", row["client_ip"]);
        Assert.Equal("BruteForcer/2.0", row["user_agent"]);
        Assert.Equal("POST", row["method"]);
        Assert.Equal("/auth/login", row["path"]);
        Assert.Equal(401, row["status_code"]);
        Assert.Equal("UNAUTHORIZED", row["error"]);
        Assert.Equal(true, row["is_sensitive"]);
        Assert.Equal("admin", row["username"]); // the account aimed at, for brute-force investigations
        Assert.Equal(32, ((byte[])row["hash"]!).Length);
    }

    [Fact]
    public async Task SuccessfulLogin_IsStoredBeforeTheResponse_UnderTheUsersName()
    {
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Post, "/auth/login",
            body: new { username = "admin", password = TestSettings.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var row = await fixture.FindAsync(requestId);
        Assert.NotNull(row);
        Assert.Equal("authn_login_success", row["event"]);
        Assert.Equal("admin", row["username"]);
        Assert.Equal(200, row["status_code"]);
        Assert.Null(row["error"]);
    }

    [Fact]
    public async Task UserCreation_IsStoredBeforeTheResponse_AsUserCreated_NamingTheTarget()
    {
        var admin = await fixture.AdminTokenAsync();
        var username = "audited" + Guid.NewGuid().ToString("N")[..8];
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Post, "/admin/users", admin,
            body: new { username, password = TestSettings.UserPassword, email = $"{username}@example.test" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var row = await fixture.FindAsync(requestId);
        Assert.NotNull(row);
        Assert.Equal("user_created", row["event"]);
        Assert.Equal("admin", row["username"]);
        Assert.Equal(201, row["status_code"]);
        Assert.Contains($"\"target\": \"{username}\"", (string)row["details"]!);
    }

    [Fact]
    public async Task UserDeletion_IsStoredBeforeTheResponse_AsUserDeleted()
    {
        var admin = await fixture.AdminTokenAsync();
        var username = await fixture.CreateClient().CreateUserAsync(admin);
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Delete, $"/admin/users/{username}", admin);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var row = await fixture.FindAsync(requestId);
        Assert.NotNull(row);
        Assert.Equal("user_deleted", row["event"]);
        Assert.Equal(204, row["status_code"]);
    }

    [Fact]
    public async Task IpBlockAndUnblock_AreStoredBeforeTheResponse_AndTheBlockedRequestIsCountedInTheAggregateRow()
    {
        var admin = await fixture.AdminTokenAsync();
        const string Blocked = "192.0.2.201";
        var (block, blockId) = await fixture.SendAsync(HttpMethod.Post, "/admin/security/blocked-ips", admin,
            body: new { ip = Blocked, reason = "audit test", duration_seconds = 600 });
        Assert.Equal(HttpStatusCode.Created, block.StatusCode);
        var blockRow = await fixture.FindAsync(blockId);

        var (refused, refusedId) = await fixture.SendAsync(HttpMethod.Get, "/auth/me", clientIp: Blocked);
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "IP_BLOCKED");
        var (unblock, unblockId) = await fixture.SendAsync(HttpMethod.Delete, $"/admin/security/blocked-ips/{Blocked}", admin);
        Assert.Equal(HttpStatusCode.NoContent, unblock.StatusCode);
        var unblockRow = await fixture.FindAsync(unblockId);

        Assert.NotNull(blockRow);
        Assert.Equal("ip_blocked", blockRow["event"]);
        Assert.Contains(Blocked, (string)blockRow["details"]!);
        Assert.NotNull(unblockRow);
        Assert.Equal("ip_unblocked", unblockRow["event"]);
        // Refusals are counted, and recorded as one row per client and period (issue 10).
        var refusedRow = await fixture.WaitForRefusalsAsync(Blocked, 1);
        Assert.Equal("IP_BLOCKED", refusedRow["error"]);
        Assert.Equal(Blocked, refusedRow["client_ip"]);
        Assert.Null(await fixture.FindAsync(refusedId));
    }

    [Fact]
    public async Task KeyRotation_IsStoredBeforeTheResponse_AsKeyRotated()
    {
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Post, "/admin/keys/rotate", await fixture.AdminTokenAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var row = await fixture.FindAsync(requestId);
        Assert.NotNull(row);
        Assert.Equal("key_rotated", row["event"]);
        Assert.Equal(true, row["is_sensitive"]);
    }

    [Fact]
    public async Task IntrusionDetectionRefusal_IsRecorded_UnderTheEdgesMaliciousEventName()
    {
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Get, "/anything?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", clientIp: "192.0.2.202");
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");

        var row = await fixture.WaitForAsync(requestId);
        Assert.Equal("malicious_xss", row["event"]);
        Assert.Equal("SUSPICIOUS_INPUT", row["error"]);
        Assert.Equal("/anything", row["path"]); // the query string, with the payload, is not stored
    }

    [Fact]
    public async Task RateLimitRefusals_AreRecordedAsOneAggregateRow_ExcessRateLimitExceeded_NotARowEach()
    {
        var ids = new List<string>();
        HttpResponseMessage last = null!;
        for (var i = 0; i <= AuditFixture.SearchLimit + 2; i++)
        {
            string id;
            (last, id) = await fixture.SendAsync(HttpMethod.Post, "/surveillance/search", clientIp: "192.0.2.203", body: new { query = "x" });
            ids.Add(id);
        }

        await last.AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        var row = await fixture.WaitForRefusalsAsync("192.0.2.203", 3);
        Assert.Equal("excess_rate_limit_exceeded", row["event"]);
        Assert.Equal(429, row["status_code"]);
        Assert.Equal("RATE_LIMITED", row["error"]);
        Assert.Null(await fixture.FindAsync(ids[^1]));
    }

    [Fact]
    public async Task AdminRead_IsRecorded_UnderTheAdminsName()
    {
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Get, "/admin/users", await fixture.AdminTokenAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var row = await fixture.WaitForAsync(requestId);
        Assert.Equal("admin", row["username"]);
        Assert.Equal("http_request", row["event"]);
        Assert.Equal("GET", row["method"]);
        Assert.Equal(200, row["status_code"]);
        Assert.Equal(true, row["is_sensitive"]);
    }

    [Fact]
    public async Task NotFound_IsRecorded_AsAnonymousWithItsErrorCode()
    {
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Get, "/no/such/resource", clientIp: "2001:db8::7");
        await response.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");

        var row = await fixture.WaitForAsync(requestId);
        Assert.Equal(404, row["status_code"]);
        Assert.Equal("NOT_FOUND", row["error"]);
        Assert.Equal("anonymous", row["username"]);
        Assert.Equal("2001:db8::7", row["client_ip"]);
        Assert.Equal("/no/such/resource", row["path"]);
    }

    [Fact]
    public async Task Forbidden_IsRecorded_AsAuthzFail()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync());
        var token = await http.LoginAsync(username, TestSettings.UserPassword, clientIp: "192.0.2.77");
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Get, "/admin/users", token);
        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");

        var row = await fixture.WaitForAsync(requestId);
        Assert.Equal("authz_fail", row["event"]);
        Assert.Equal(username, row["username"]);
        Assert.Equal(403, row["status_code"]);
    }

    [Fact]
    public async Task SuccessfulRead_OutsideAdmin_IsNotRecorded()
    {
        var token = await fixture.AdminTokenAsync();
        var (read, readId) = await fixture.SendAsync(HttpMethod.Get, "/auth/me", token);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        // One queue, one writer, in order: once a later routine entry is stored, an earlier one would be too.
        var (_, laterId) = await fixture.SendAsync(HttpMethod.Get, "/no/such/page");
        await fixture.WaitForAsync(laterId);

        Assert.Null(await fixture.FindAsync(readId));
    }

    [Fact]
    public async Task LogInjection_ControlCharactersInUserAgentAndPath_AreEscaped()
    {
        var requestId = AuditFixture.NewRequestId();
        // TestServer takes the values as they are; a raw socket can send the same bytes.
        var context = await fixture.Api.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/no\r\nsuch\u0007page";
            c.Request.Headers[RequestIdMiddleware.Header] = requestId;
            c.Request.Headers.UserAgent = "evil\r\n2026-01-01 admin logged in\t\u001b[31m\u202Eend";
        });
        Assert.Equal(404, context.Response.StatusCode);

        var row = await fixture.WaitForAsync(requestId);
        Assert.Equal("evil\\r\\n2026-01-01 admin logged in\\t\\u001b[31m\\u202eend", row["user_agent"]);
        Assert.Equal("/no\\r\\nsuch\\u0007page", row["path"]);
    }

    [Fact]
    public async Task LogInjection_PercentEncodedNewlinesInThePath_AreEscaped()
    {
        var (response, requestId) = await fixture.SendAsync(HttpMethod.Get, "/fake%0D%0A200%20GET%20/admin%1B[2Jx");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        var row = await fixture.WaitForAsync(requestId);
        var path = (string)row["path"]!;
        Assert.DoesNotContain(path, char.IsControl);
        Assert.Equal("/fake\\r\\n200 GET /admin\\u001b[2Jx", path);
    }

    [Fact]
    public async Task OversizedUserAgentAndPath_AreCapped()
    {
        var (_, requestId) = await fixture.SendAsync(HttpMethod.Get, "/" + new string('p', 3000), userAgent: new string('u', 5000));

        var row = await fixture.WaitForAsync(requestId);
        Assert.Equal(512, ((string)row["user_agent"]!).Length);
        Assert.Equal(2048, ((string)row["path"]!).Length);
    }

    [Fact]
    public async Task GracefulShutdown_FlushesQueuedEntries()
    {
        var api = new ApiHost(fixture.Cluster);
        string requestId;
        try
        {
            (_, requestId) = await fixture.SendAsync(HttpMethod.Get, "/gone/before/shutdown", http: api.CreateClient());
        }
        finally
        {
            await api.DisposeAsync();
        }

        // Read once after the host stopped: stopping drained the queue.
        Assert.NotNull(await fixture.FindAsync(requestId));
    }
}
