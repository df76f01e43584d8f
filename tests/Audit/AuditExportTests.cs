using System.Net;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Audit;

/// <summary><c>GET /admin/audit/export</c>: NDJSON, and pseudonymised on request (GDPR data minimisation).</summary>
public sealed class AuditExportTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    private async Task<(string Body, List<JsonObject> Lines)> ExportAsync(string query)
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/admin/audit/export" + query, await fixture.AdminTokenAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        return (body, lines);
    }

    private async Task<string> RecordedRequestFromAsync(string clientIp)
    {
        var (_, requestId) = await fixture.SendAsync(HttpMethod.Get, "/export/probe", clientIp: clientIp);
        await fixture.WaitForAsync(requestId);
        return requestId;
    }

    [Fact]
    public async Task AnonymizedExport_CarriesSubnets_AndNoClientIp_ForIPv4AndIPv6()
    {
        var v4 = await RecordedRequestFromAsync("203.0.113.77");
        var v6 = await RecordedRequestFromAsync("2001:db8:1:2:3:4:5:6");

        var (body, lines) = await ExportAsync("?anonymize=true");

        Assert.Equal("203.0.113.0", lines.Single(l => l["request_id"]!.GetValue<string>() == v4)["ip_subnet"]!.GetValue<string>());
        Assert.Equal("2001:db8:1::", lines.Single(l => l["request_id"]!.GetValue<string>() == v6)["ip_subnet"]!.GetValue<string>());
        Assert.All(lines, l => Assert.False(l.ContainsKey("client_ip"), "an anonymised line carries client_ip"));
        Assert.DoesNotContain("203.0.113.77", body);
        Assert.DoesNotContain("2001:db8:1:2:3:4:5:6", body);
        Assert.Equal(lines.Count, lines.Select(l => l["id"]!.GetValue<long>()).Distinct().Count());
    }

    [Fact]
    public async Task AnonymizedExport_ReplacesEmailsInDetails_ByAKeyedHash()
    {
        var admin = await fixture.AdminTokenAsync();
        var username = await fixture.CreateClient().CreateUserAsync(admin);

        var (body, lines) = await ExportAsync("?anonymize=true");

        var created = lines.Single(l => l["event"]!.GetValue<string>() == "user_created"
            && l["details"]?["target"]?.GetValue<string>() == username);
        Assert.DoesNotContain($"{username}@example.test", body);
        Assert.Matches("^[0-9a-f]{64}$", created["email_hash"]!.GetValue<string>());
        Assert.Equal(created["email_hash"]!.GetValue<string>(), created["details"]!["email_hash"]!.GetValue<string>());
        Assert.Null(created["details"]!["email"]);
    }

    [Fact]
    public async Task PlainExport_IsOneJsonObjectPerLine_OldestFirst_WithClientIp()
    {
        var requestId = await RecordedRequestFromAsync("198.51.100.9");

        var (body, lines) = await ExportAsync("");

        Assert.EndsWith("\n", body);
        var line = lines.Single(l => l["request_id"]!.GetValue<string>() == requestId);
        Assert.Equal("198.51.100.9", line["client_ip"]!.GetValue<string>());
        Assert.False(line.ContainsKey("ip_subnet"));
        var ids = lines.Select(l => l["id"]!.GetValue<long>()).ToList();
        Assert.Equal(ids.Order(), ids);
    }

    [Fact]
    public async Task Export_WithABadAnonymizeValue_Is400()
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/admin/audit/export?anonymize=maybe", await fixture.AdminTokenAsync());

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }
}
