using System.Net;
using Microsoft.Extensions.Options;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>The edge's limits with every idle activation collectable on demand.</summary>
public sealed class StoredStrikeHistoryFixture : EdgeFixture
{
    /// <summary>Deactivates every idle grain of the silo, as an idle collection or a restart does.</summary>
    public Task ForgetActivationsAsync() =>
        Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
}

/// <summary>
/// Issue 10, "persist only what must survive (threat history, blocks)": a client's threats and
/// failed logins are stored, so an attacker who pauses until its client grain is collected (or who
/// waits for a restart) keeps its count toward the block — the weakness of NVRs whose brute-force
/// counters reset on restart.
/// </summary>
public sealed class StoredStrikeHistoryTests(StoredStrikeHistoryFixture fixture) : IClassFixture<StoredStrikeHistoryFixture>
{
    [Fact]
    public async Task AttackerWaitsOutTheClientGrain_ItsThreatsStillCount_AndTheFifthBlocks()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        await http.SendThreatsFromAsync(ip, EdgeFixture.MaxThreats - 2);

        await fixture.ForgetActivationsAsync();
        await http.SendThreatsFromAsync(ip, 1);
        await fixture.ForgetActivationsAsync();

        // One threat short of the threshold, counted across two collections: not blocked yet.
        Assert.NotEqual(HttpStatusCode.Forbidden, (await http.GetFromAsync(ip, EdgeRequests.Me)).StatusCode);
        await http.SendThreatsFromAsync(ip, 1);
        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();
    }

    [Fact]
    public async Task PasswordSprayerPausesBetweenGuesses_FailedLoginsStillCount_AndBlock()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        for (var i = 0; i < EdgeFixture.MaxFailedLogins; i++)
        {
            var login = await http.SendFromAsync(ip, HttpMethod.Post, "/auth/login",
                body: new { username = "spray" + i, password = "a wrong password" });
            await login.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            await fixture.ForgetActivationsAsync();
        }

        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();
    }

    [Fact]
    public async Task StoredHistory_IsShownToTheAdministrator_AfterTheClientGrainWasCollected()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        await http.SendThreatsFromAsync(ip, 2);

        await fixture.ForgetActivationsAsync();

        var threats = (await fixture.IpStatusAsync(ip))["threats"]!.AsArray();
        Assert.Equal(2, threats.Count);
        Assert.All(threats, t => Assert.Equal("malicious_sqli", t!["event_name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AdministratorUnblocks_TheStoredHistoryIsForgotten_SoOneMoreThreatDoesNotBlockAgain()
    {
        var http = fixture.CreateClient();
        var ip = EdgeFixture.NewIp();
        await http.SendThreatsFromAsync(ip, EdgeFixture.MaxThreats);
        await (await http.GetFromAsync(ip, EdgeRequests.Me)).AssertBlockedAsync();

        var unblocked = await fixture.AdminSendAsync(HttpMethod.Delete, $"/admin/security/blocked-ips/{Uri.EscapeDataString(ip)}");
        Assert.Equal(HttpStatusCode.NoContent, unblocked.StatusCode);
        await fixture.ForgetActivationsAsync();
        await http.SendThreatsFromAsync(ip, 1);

        Assert.NotEqual(HttpStatusCode.Forbidden, (await http.GetFromAsync(ip, EdgeRequests.Me)).StatusCode);
        Assert.Single((await fixture.IpStatusAsync(ip))["threats"]!.AsArray());
    }

    [Fact]
    public void StrikeStoreBudget_RefusesPastItsRatePerSecond_SoRotatingStrikersCannotFloodTheDatabase()
    {
        using var budget = new Surveillance.Edge.StrikeStoreBudget(Options.Create(new Surveillance.Edge.ThreatOptions { StoredStrikesPerSecond = 3 }));

        var taken = Enumerable.Range(0, 10).Count(_ => budget.TryTake());

        Assert.Equal(3, taken);
    }
}
