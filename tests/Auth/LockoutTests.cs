using System.Net;
using Surveillance.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Surveillance.Tests.Auth;

/// <summary>
/// Per-account brute-force defence (ASVS 6.1.1 / 6.3.1) with the default 15-minute lockout:
/// 10 consecutive failures lock the account for every IP but those its owner logged in from.
/// </summary>
[Collection(LoginAndSessionCluster.Name)]
public sealed class LockoutTests(ApiFixture fixture)
{
    [Fact]
    public async Task Lockout_After10Failures_FromANewIp_RefusesEvenTheRightPassword()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync(), password: LockoutSteps.Password);

        await LockoutSteps.FailAsync(http, username, LockoutSteps.Threshold);

        var wrong = await http.PostLoginAsync(username, "yet another guess", LockoutSteps.NewIp());
        var right = await LockoutSteps.TryRightPasswordAsync(http, username);
        var wrongProblem = await LockoutSteps.AssertRefusedAsync(wrong);
        var rightProblem = await LockoutSteps.AssertRefusedAsync(right);

        // Nothing tells the attacker that the account is locked rather than the guess wrong.
        Assert.Equal(LockoutSteps.Comparable(wrongProblem), LockoutSteps.Comparable(rightProblem));
        Assert.Equal(wrong.Headers.WwwAuthenticate.ToString(), right.Headers.WwwAuthenticate.ToString());
        Assert.Equal("Bearer", right.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Lockout_DoesNotLockOutTheOwnersKnownIp()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync(), password: LockoutSteps.Password);
        var ownerIp = LockoutSteps.NewIp();
        await http.LoginAsync(username, LockoutSteps.Password, ownerIp);

        await LockoutSteps.FailAsync(http, username, LockoutSteps.Threshold);

        // Checked before the owner logs in: the owner's success ends the lockout.
        await LockoutSteps.AssertRefusedAsync(await LockoutSteps.TryRightPasswordAsync(http, username));
        var token = await http.LoginAsync(username, LockoutSteps.Password, ownerIp);
        Assert.False(string.IsNullOrEmpty(token));
    }

    [Fact]
    public async Task Lockout_KnownIp_StillNeedsTheRightPassword()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync(), password: LockoutSteps.Password);
        var ownerIp = LockoutSteps.NewIp();
        await http.LoginAsync(username, LockoutSteps.Password, ownerIp);
        await LockoutSteps.FailAsync(http, username, LockoutSteps.Threshold);

        var guessFromKnownIp = await http.PostLoginAsync(username, "a guess from a known ip", ownerIp);

        await LockoutSteps.AssertRefusedAsync(guessFromKnownIp);
        await LockoutSteps.AssertRefusedAsync(await LockoutSteps.TryRightPasswordAsync(http, username));
    }

    [Fact]
    public async Task SuccessfulLogin_ResetsTheFailureCount()
    {
        var http = fixture.CreateClient();
        var username = await http.CreateUserAsync(await fixture.AdminTokenAsync(), password: LockoutSteps.Password);

        await LockoutSteps.FailAsync(http, username, LockoutSteps.Threshold - 1);
        await http.LoginAsync(username, LockoutSteps.Password, LockoutSteps.NewIp());
        await LockoutSteps.FailAsync(http, username, LockoutSteps.Threshold - 1);

        // 18 failures in all, but never 10 in a row: a new IP still gets in.
        var response = await LockoutSteps.TryRightPasswordAsync(http, username);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Lockout_IsPerAccount_OtherAccountsStillLogIn()
    {
        var http = fixture.CreateClient();
        var adminToken = await fixture.AdminTokenAsync();
        var victim = await http.CreateUserAsync(adminToken, password: LockoutSteps.Password);
        var bystander = await http.CreateUserAsync(adminToken, password: LockoutSteps.Password);

        await LockoutSteps.FailAsync(http, victim, LockoutSteps.Threshold);

        await LockoutSteps.AssertRefusedAsync(await LockoutSteps.TryRightPasswordAsync(http, victim));
        var response = await LockoutSteps.TryRightPasswordAsync(http, bystander);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>
/// Lockout expiry and doubling, with a 4-second first lockout to keep the waits short. A lock
/// begins somewhere between the sending and the answer of the 10th failure, so each check is
/// timed from the bound that makes it safe, and a check answered too late to tell is run again
/// on a fresh account rather than taken as a verdict.
/// </summary>
public sealed class LockoutExpiryTests(LockoutExpiryTests.ShortLockoutFixture fixture, ITestOutputHelper output)
    : IClassFixture<LockoutExpiryTests.ShortLockoutFixture>
{
    private static readonly TimeSpan FirstLockout = TimeSpan.FromSeconds(4);

    /// <summary>Slack past the moment a lockout has surely ended (the test and the silo share one clock).</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(250);

    private const int MaxRuns = 3;

    public sealed class ShortLockoutFixture : ApiFixture
    {
        protected override TestSettings CreateSettings() => new()
        {
            Overrides = { ["Auth:Lockout:LockoutSeconds"] = ((int)FirstLockout.TotalSeconds).ToString() },
        };
    }

    [Fact]
    public Task Lockout_Expires() => RunOnFreshAccountsAsync(async (http, username) =>
    {
        var locked = await LockoutSteps.LockAsync(http, username);
        if (await LockoutSteps.IsLockedAsync(http, username, lockEndsNoSoonerThan: locked.NotBefore + FirstLockout) is not { } isLocked)
        {
            return false;
        }

        Assert.True(isLocked, "10 failures did not lock the account");

        await LockoutSteps.WaitUntilAsync(locked.NotAfter + FirstLockout + Margin);
        var response = await LockoutSteps.TryRightPasswordAsync(http, username);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return true;
    });

    [Fact]
    public Task Lockout_Doubles_OnRepeat() => RunOnFreshAccountsAsync(async (http, username) =>
    {
        var first = await LockoutSteps.LockAsync(http, username);
        await LockoutSteps.WaitUntilAsync(first.NotAfter + FirstLockout + Margin);

        // The attack goes on once the first lockout is over, and no one has logged in since.
        var second = await LockoutSteps.LockAsync(http, username);

        // Past the length of the first lockout: refused only if the second one is longer.
        await LockoutSteps.WaitUntilAsync(second.NotAfter + FirstLockout + Margin);
        if (await LockoutSteps.IsLockedAsync(http, username, lockEndsNoSoonerThan: second.NotBefore + (2 * FirstLockout)) is not { } isLocked)
        {
            return false;
        }

        Assert.True(isLocked, "the second lockout was no longer than the first");

        // Past twice the first length, the account opens again.
        await LockoutSteps.WaitUntilAsync(second.NotAfter + (2 * FirstLockout) + Margin);
        var response = await LockoutSteps.TryRightPasswordAsync(http, username);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return true;
    });

    /// <summary>Runs a scenario on new accounts until one run could tell (it returns true).</summary>
    private async Task RunOnFreshAccountsAsync(Func<HttpClient, string, Task<bool>> scenario)
    {
        var http = fixture.CreateClient();
        var adminToken = await fixture.AdminTokenAsync();
        for (var run = 0; run < MaxRuns; run++)
        {
            var username = await http.CreateUserAsync(adminToken, password: LockoutSteps.Password);
            if (await scenario(http, username))
            {
                return;
            }

            output.WriteLine($"Run {run + 1}: the check was answered too late to tell; trying a fresh account.");
        }

        Assert.Fail($"In {MaxRuns} runs no check was answered before the lockout under test could have ended.");
    }
}

/// <summary>The lockout is grain state in PostgreSQL: restarting the cluster does not lift it.</summary>
public sealed class LockoutRestartTests
{
    [Fact]
    public async Task Lockout_SurvivesASiloRestart()
    {
        var settings = new TestSettings();
        var ownerIp = LockoutSteps.NewIp();
        string username;
        await using (var cluster = await TestCluster.StartAsync(settings))
        await using (var api = new ApiHost(cluster))
        {
            var http = api.CreateClient();
            var adminToken = await http.LoginAsync("admin", TestSettings.AdminPassword);
            username = await http.CreateUserAsync(adminToken, password: LockoutSteps.Password);
            await http.LoginAsync(username, LockoutSteps.Password, ownerIp);
            await LockoutSteps.LockAsync(http, username);
            await LockoutSteps.AssertRefusedAsync(await LockoutSteps.TryRightPasswordAsync(http, username));
        }

        await using var restarted = await TestCluster.StartAsync(settings);
        await using var restartedApi = new ApiHost(restarted);
        var client = restartedApi.CreateClient();

        await LockoutSteps.AssertRefusedAsync(await LockoutSteps.TryRightPasswordAsync(client, username));

        // Not refused merely because the account is gone: it is there, and its owner's IP,
        // remembered across the restart as well, still gets in.
        var restartedAdminToken = await client.LoginAsync("admin", TestSettings.AdminPassword);
        var account = await client.SendAsync(HttpMethod.Get, $"/admin/users/{username}", restartedAdminToken);
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        await client.LoginAsync(username, LockoutSteps.Password, ownerIp);
    }
}
