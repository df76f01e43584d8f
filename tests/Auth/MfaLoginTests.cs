using System.Net;
using Npgsql;
using OtpNet;
using Surveillance.Edge;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>
/// TOTP multi-factor login over HTTP (API.md "Multi-factor authentication"; ASVS 6.3.3, 6.5, 6.6):
/// codes are computed here from the enrolled secret, as an authenticator app would.
/// </summary>
[Collection(LoginAndSessionCluster.Name)]
public sealed class MfaLoginTests(ApiFixture fixture)
{
    [Fact]
    public async Task Mfa_EnrollConfirmAndTwoStepLogin_OverHttp_IssueATokenOnlyAfterTheCode()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var username = await http.CreateUserAsync(admin, password: MfaSteps.Password);
        var token = await http.LoginAsync(username, MfaSteps.Password);

        var enrolled = await http.SendAsync(HttpMethod.Post, "/auth/mfa/totp/enroll", token);
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        var enrollment = await enrolled.ReadJsonAsync();
        var secret = enrollment["secret"]!.GetValue<string>();
        Assert.Equal(20, Base32Encoding.ToBytes(secret).Length);
        Assert.Equal($"otpauth://totp/Surveillance:{username}?secret={secret}&issuer=Surveillance",
            enrollment["otpauth_uri"]!.GetValue<string>());

        // A wrong first code does not turn MFA on.
        var wrongConfirm = await http.SendAsync(HttpMethod.Post, "/auth/mfa/totp/confirm", token, new { code = "000000" == MfaSteps.Code(secret) ? "111111" : "000000" });
        await wrongConfirm.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");

        var recovery = await MfaSteps.ConfirmAsync(http, token, MfaSteps.Code(secret));
        Assert.Equal(10, recovery.Count);
        Assert.Equal(10, recovery.Distinct().Count());

        var again = await http.SendAsync(HttpMethod.Post, "/auth/mfa/totp/enroll", token);
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "CONFLICT");

        var mfaToken = await MfaSteps.PasswordStepAsync(http, username);
        var access = await MfaSteps.AccessTokenAsync(await MfaSteps.VerifyAsync(http, mfaToken, MfaSteps.Code(secret, steps: 1)));
        var me = await http.SendAsync(HttpMethod.Get, "/auth/me", access);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        var view = await (await http.SendAsync(HttpMethod.Get, $"/admin/users/{username}", admin)).ReadJsonAsync();
        Assert.True(view["mfa_enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Mfa_ReplayedCode_IsRefused_WithinItsWindow()
    {
        var http = fixture.CreateClient();
        var (username, secret, firstCode, _) = await MfaSteps.UserWithMfaAsync(http, await fixture.AdminTokenAsync());

        // The code that confirmed the enrollment, seen by a shoulder-surfer, does not log in.
        var mfaToken = await MfaSteps.PasswordStepAsync(http, username);
        await (await MfaSteps.VerifyAsync(http, mfaToken, firstCode)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        var next = MfaSteps.Code(secret, steps: 1);
        await MfaSteps.AccessTokenAsync(await MfaSteps.VerifyAsync(http, mfaToken, next));

        // Nor does a code that already logged in, even with a fresh password step.
        var secondToken = await MfaSteps.PasswordStepAsync(http, username);
        await (await MfaSteps.VerifyAsync(http, secondToken, next)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Mfa_RecoveryCode_WorksOnce_AndAUsedMfaTokenIsRefused()
    {
        var http = fixture.CreateClient();
        var (username, _, _, recovery) = await MfaSteps.UserWithMfaAsync(http, await fixture.AdminTokenAsync());

        var mfaToken = await MfaSteps.PasswordStepAsync(http, username);
        await MfaSteps.AccessTokenAsync(await MfaSteps.VerifyAsync(http, mfaToken, recovery[0].ToUpperInvariant()));

        await (await MfaSteps.VerifyAsync(http, mfaToken, recovery[1])).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var fresh = await MfaSteps.PasswordStepAsync(http, username);
        await (await MfaSteps.VerifyAsync(http, fresh, recovery[0])).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await MfaSteps.AccessTokenAsync(await MfaSteps.VerifyAsync(http, fresh, recovery[1]));
    }

    [Fact]
    public async Task Mfa_ForgedOrUnknownMfaToken_IsRefused()
    {
        var http = fixture.CreateClient();
        var (username, secret, _, _) = await MfaSteps.UserWithMfaAsync(http, await fixture.AdminTokenAsync());

        foreach (var forged in new[] { $"{username}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "no-dot-at-all", $"{username}." })
        {
            await (await MfaSteps.VerifyAsync(http, forged, MfaSteps.Code(secret, steps: 1)))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }

    [Fact]
    public async Task Mfa_WrongCodes_CountTowardTheAccountLockout_AndThePerIpFailedLogins()
    {
        var http = fixture.CreateClient();
        var (username, secret, _, _) = await MfaSteps.UserWithMfaAsync(http, await fixture.AdminTokenAsync());
        var attackerIp = LockoutSteps.NewIp();
        var guesses = 0;

        // The attacker knows the password: 10 wrong codes (two challenges of five tries) lock the account.
        while (guesses < LockoutSteps.Threshold)
        {
            var mfaToken = await MfaSteps.PasswordStepAsync(http, username, attackerIp);
            for (var i = 0; i < 5 && guesses < LockoutSteps.Threshold; i++, guesses++)
            {
                var guess = $"{(guesses * 7919 + 123457) % 1_000_000:D6}";
                if (guess == MfaSteps.Code(secret, -1) || guess == MfaSteps.Code(secret) || guess == MfaSteps.Code(secret, 1))
                {
                    guess = "abcdef";
                }

                await (await MfaSteps.VerifyAsync(http, mfaToken, guess, attackerIp)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            }
        }

        var status = await fixture.Cluster.Client.GetGrain<IClientIpGrain>(attackerIp).GetStatusAsync();
        Assert.Equal(LockoutSteps.Threshold, status.FailedLogins);

        // Locked: even the right password from a new IP gets the one failure answer, and no challenge.
        await LockoutSteps.AssertRefusedAsync(await http.PostLoginAsync(username, MfaSteps.Password, LockoutSteps.NewIp()));
    }

    [Fact]
    public async Task Mfa_Disable_NeedsPasswordAndCode_AndRevokesOtherSessions()
    {
        var http = fixture.CreateClient();
        var (username, secret, _, recovery) = await MfaSteps.UserWithMfaAsync(http, await fixture.AdminTokenAsync());
        var first = await MfaSteps.AccessTokenAsync(await MfaSteps.VerifyAsync(http, await MfaSteps.PasswordStepAsync(http, username), recovery[0]));
        var second = await MfaSteps.AccessTokenAsync(await MfaSteps.VerifyAsync(http, await MfaSteps.PasswordStepAsync(http, username), recovery[1]));

        var wrongPassword = await http.SendAsync(HttpMethod.Post, "/auth/mfa/totp/disable", first, new { password = "not the password at all", code = recovery[2] });
        await wrongPassword.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        var wrongCode = await http.SendAsync(HttpMethod.Post, "/auth/mfa/totp/disable", first, new { password = MfaSteps.Password, code = "not-a-code" });
        await wrongCode.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");

        var disabled = await http.SendAsync(HttpMethod.Post, "/auth/mfa/totp/disable", first, new { password = MfaSteps.Password, code = MfaSteps.Code(secret, 1) });
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/auth/me", first)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(HttpMethod.Get, "/auth/me", second)).StatusCode);
        Assert.False(string.IsNullOrEmpty(await http.LoginAsync(username, MfaSteps.Password)));
    }

    [Fact]
    public async Task Mfa_ResetByAdmin_TurnsItOff_AndRevokesEverySession()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var (username, _, _, recovery) = await MfaSteps.UserWithMfaAsync(http, admin);
        var session = await MfaSteps.AccessTokenAsync(await MfaSteps.VerifyAsync(http, await MfaSteps.PasswordStepAsync(http, username), recovery[0]));

        var reset = await http.SendAsync(HttpMethod.Post, $"/admin/users/{username}/reset-mfa", admin);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(HttpMethod.Get, "/auth/me", session)).StatusCode);
        var view = await (await http.SendAsync(HttpMethod.Get, $"/admin/users/{username}", admin)).ReadJsonAsync();
        Assert.False(view["mfa_enabled"]!.GetValue<bool>());
        Assert.False(string.IsNullOrEmpty(await http.LoginAsync(username, MfaSteps.Password)));

        var byNonAdmin = await http.SendAsync(HttpMethod.Post, $"/admin/users/{username}/reset-mfa", await http.LoginAsync(username, MfaSteps.Password));
        await byNonAdmin.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task Mfa_Secret_IsNeverReturnedAfterEnrollment_AndIsStoredOnlyEncrypted()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();
        var (username, secret, _, recovery) = await MfaSteps.UserWithMfaAsync(http, admin);
        var access = await MfaSteps.AccessTokenAsync(await MfaSteps.VerifyAsync(http, await MfaSteps.PasswordStepAsync(http, username), recovery[0]));

        foreach (var (path, token) in new[] { ("/auth/me", access), ($"/admin/users/{username}", admin), ("/admin/users", admin) })
        {
            var body = await (await http.SendAsync(HttpMethod.Get, path, token)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, body, StringComparison.OrdinalIgnoreCase);
        }

        var raw = Base32Encoding.ToBytes(secret);
        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        await db.OpenAsync();
        // The account's row is there (so the search below looks at something) ...
        Assert.True(await CountRowsContainingAsync(db, System.Text.Encoding.UTF8.GetBytes($"{username}@example.test")) > 0);
        // ... and holds neither the secret, nor its bytes, nor their base64, nor a recovery code.
        foreach (var marker in new[]
                 {
                     System.Text.Encoding.UTF8.GetBytes(secret), raw, System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(raw)),
                     System.Text.Encoding.UTF8.GetBytes(recovery[1]),
                 })
        {
            Assert.Equal(0L, await CountRowsContainingAsync(db, marker));
        }
    }

    private async Task<long> CountRowsContainingAsync(NpgsqlConnection db, byte[] marker)
    {
        await using var query = new NpgsqlCommand(
            "select count(*) from orleansstorage where serviceid = @service and position(@marker in payloadbinary) > 0", db);
        query.Parameters.AddWithValue("service", fixture.Cluster.Settings.ServiceId);
        query.Parameters.AddWithValue("marker", marker);
        return (long)(await query.ExecuteScalarAsync())!;
    }
}
