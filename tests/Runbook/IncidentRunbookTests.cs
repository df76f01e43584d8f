using System.Net;
using System.Security.Cryptography;
using Surveillance.Tests.Audit;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Runbook;

/// <summary>
/// The HTTP steps of docs/RUNBOOK.md, in the runbook's order, each followed by the check the
/// runbook tells the operator to make. If an endpoint or its answer changes, the runbook is wrong
/// and this fails. A database of its own (<see cref="AuditFixture"/>): the runbook verifies the audit
/// chain, which other test clusters, each with its own audit key, would break in the shared one.
/// </summary>
public sealed class IncidentRunbookTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    [Fact]
    public async Task CompromisedAccount_Deactivate_Investigate_ResetCredentials_Reactivate()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var user = await http.CreateUserAsync(admin, password: "the stolen passphrase 1");
        var stolen = await http.LoginAsync(user, "the stolen passphrase 1", clientIp: "198.51.100.23");

        // 1. Cut access: deactivate. Verify: the stolen token and the stolen password are refused.
        var deactivated = await http.SendAsync(HttpMethod.Patch, $"/admin/users/{user}", admin, new { is_active = false });
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.False((await deactivated.ReadJsonAsync())["is_active"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(HttpMethod.Get, "/auth/me", stolen)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostLoginAsync(user, "the stolen passphrase 1")).StatusCode);

        // 2. Investigate: the account's audit trail names the address it was used from; the chain is intact.
        var trail = await (await http.SendAsync(HttpMethod.Get, $"/admin/audit?username={user}&limit=500", admin)).ReadJsonAsync();
        Assert.Contains(trail["entries"]!.AsArray(), e => e!["client_ip"]?.GetValue<string>() == "198.51.100.23");
        var verify = await (await http.SendAsync(HttpMethod.Get, "/admin/audit/verify", admin)).ReadJsonAsync();
        Assert.True(verify["valid"]!.GetValue<bool>(), $"chain reported broken: {verify.ToJsonString()}");

        // 3. New credentials: password reset and MFA reset (the user enrols again).
        Assert.Equal(HttpStatusCode.OK,
            (await http.SendAsync(HttpMethod.Post, $"/admin/users/{user}/reset-password", admin, new { new_password = "a brand new passphrase 2" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Post, $"/admin/users/{user}/reset-mfa", admin)).StatusCode);

        // 4. Give the account back. Verify: the new password works, the stolen one and the stolen token do not.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Patch, $"/admin/users/{user}", admin, new { is_active = true })).StatusCode);
        var fresh = await http.LoginAsync(user, "a brand new passphrase 2");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/auth/me", fresh)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostLoginAsync(user, "the stolen passphrase 1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(HttpMethod.Get, "/auth/me", stolen)).StatusCode);
    }

    [Fact]
    public async Task BruteForceCampaign_InspectBlockVerifyUnblock()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var attacker = $"203.0.113.{RandomNumberGenerator.GetInt32(1, 255)}";
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostLoginAsync("admin", "guess number " + i, clientIp: attacker)).StatusCode);
        }

        // 1. Find it: failed logins in the audit log, by address.
        var failures = await (await http.SendAsync(HttpMethod.Get, $"/admin/audit?path=/auth/login&status=401&ip={attacker}", admin)).ReadJsonAsync();
        Assert.True(failures["entries"]!.AsArray().Count >= 3, failures.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, $"/admin/security/ips/{attacker}", admin)).StatusCode);

        // 2. Block it. Verify: listed, and every request from it is 403 IP_BLOCKED, even the right password.
        var block = await http.SendAsync(HttpMethod.Post, "/admin/security/blocked-ips", admin,
            new { ip = attacker, reason = "credential stuffing (runbook)", duration_seconds = 86_400 });
        Assert.Equal(HttpStatusCode.Created, block.StatusCode);
        var listed = await (await http.SendAsync(HttpMethod.Get, "/admin/security/blocked-ips", admin)).ReadJsonAsync();
        Assert.Contains(listed["blocked_ips"]!.AsArray(), b => b!["ip"]!.GetValue<string>() == attacker);
        await (await http.PostLoginAsync("admin", TestSettings.AdminPassword, clientIp: attacker)).AssertProblemAsync(HttpStatusCode.Forbidden, "IP_BLOCKED");

        // 3. A false positive: unblock. Verify: the address logs in again.
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Delete, $"/admin/security/blocked-ips/{attacker}", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync("admin", TestSettings.AdminPassword, clientIp: attacker)).StatusCode);
    }

    [Fact]
    public async Task LeakedJwtSigningKey_ApiInstancesWithTheNewKey_RefuseEveryEarlierToken()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var user = await http.CreateUserAsync(admin);
        var before = await http.LoginAsync(user, TestSettings.UserPassword);

        // The rotation: every API instance restarted with a new Auth:JwtSecret (here: one more instance on the same cluster).
        var newSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        await using var rotated = fixture.Api.WithWebHostBuilder(b => b.UseSetting("Auth:JwtSecret", newSecret));
        var rotatedHttp = rotated.CreateClient();

        // Verify: a token signed with the old key is refused; a new login works.
        Assert.Equal(HttpStatusCode.Unauthorized, (await rotatedHttp.SendAsync(HttpMethod.Get, "/auth/me", before)).StatusCode);
        var after = await rotatedHttp.LoginAsync(user, TestSettings.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await rotatedHttp.SendAsync(HttpMethod.Get, "/auth/me", after)).StatusCode);
        // ...and an instance still on the old key refuses the new token: restart all of them.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(HttpMethod.Get, "/auth/me", after)).StatusCode);
    }
}
