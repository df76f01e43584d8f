using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// Issue 10: on two cores even one bcrypt thread is half the machine, so a sustained login storm is
/// also bounded by a share of the CPU: past it, hashes are refused at once with a time to retry.
/// </summary>
public sealed class HashingCpuShareTests
{
    private static HashingBudget Budget(double share, int waitMilliseconds = 0) => new(Options.Create(new PasswordHashingOptions
    {
        HashingThreads = 2,
        HashingQueueLength = 10,
        HashingWaitMilliseconds = waitMilliseconds,
        HashingCpuShare = share,
        HashingBurstSeconds = 0,
    }));

    private static bool Hash()
    {
        Thread.Sleep(100); // stands in for bcrypt: the meter charges the measured time
        return true;
    }

    [Fact]
    public async Task SustainedHashing_BeyondItsCpuShare_IsRefusedAtOnce_WithWhenToRetry()
    {
        var budget = Budget(share: 0.01);

        var first = await budget.TryRunAsync(Hash);
        var second = await budget.TryRunAsync(Hash);

        Assert.True(first.Ran);
        Assert.True(second.Refused);
        // 0.1 s of hashing at 1 % of the cores earns the next hash only seconds later: that is the Retry-After.
        Assert.True(second.RetryAfter > TimeSpan.FromSeconds(1), $"retry after {second.RetryAfter}");
        Assert.Equal(1, budget.Refused);
        await Assert.ThrowsAsync<Surveillance.Errors.DomainException>(() => budget.RunAsync(Hash));
    }

    [Fact]
    public async Task HashesWithinTheShare_AreNotRefused()
    {
        var budget = Budget(share: 1, waitMilliseconds: 10_000);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => budget.TryRunAsync(Hash)));

        Assert.All(outcomes, o => Assert.True(o.Ran));
    }
}

/// <summary>A silo whose hashing may use a tiny share of the CPU, after no burst.</summary>
public sealed class TinyHashingShareFixture : ApiFixture
{
    protected override TestSettings CreateSettings() => new()
    {
        Overrides =
        {
            ["Auth:HashingCpuShare"] = "0.0001",
            ["Auth:HashingBurstSeconds"] = "0",
            ["Auth:HashingWaitMilliseconds"] = "0",
            ["RateLimiting:BusyLoginHoldMilliseconds"] = "100",
            ["RateLimiting:BusyLoginGateMilliseconds"] = $"{GateMilliseconds}",
        },
    };

    public const int GateMilliseconds = 5000;

    /// <summary>The keys of the client IP grains active in the cluster.</summary>
    public async Task<IReadOnlyList<string>> ActiveClientIpKeysAsync()
    {
        var statistics = await Cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains("ClientIp", StringComparison.OrdinalIgnoreCase))
            .Select(s => s.GrainId.Key.ToString()!).ToList();
    }

    /// <summary>Hashes the silo's budget refused: every login that reaches a user grain here is one.</summary>
    public long SiloRefusals => Cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<HashingBudget>().Refused;
}

/// <summary>Storm pressure at the HTTP API: beyond the hashing share a login is a fast 503 with Retry-After, not a 401 or a 500.</summary>
public sealed class LoginBeyondHashingShareTests(TinyHashingShareFixture fixture) : IClassFixture<TinyHashingShareFixture>
{
    [Fact]
    public async Task LoginStorm_BeyondTheHashingCpuShare_Gets503WithRetryAfter_NotAFailedLogin()
    {
        var http = fixture.CreateClient();

        // One hash (the bootstrap admin's, or the first attempt's decoy) spends the share for minutes.
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await http.PostLoginAsync("stuffed-" + i, "wrong password " + i, EdgeFixture.NewIp()));
        }

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.ServiceUnavailable }));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.True(refused.Count >= 2, $"{refused.Count} of 3 refused");
        foreach (var answer in refused)
        {
            await answer.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
            Assert.InRange(int.Parse(answer.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 1, 60);
        }
    }

    [Fact]
    public async Task MalformedLoginFlood_AfterTheStormsWindow_GetsA400Each_AndAWellFormedLoginStillReachesTheSilo()
    {
        var http = fixture.CreateClient();
        await AssertTheSiloAnswersBusyAsync(http, "flood-first-");
        await Task.Delay(TinyHashingShareFixture.GateMilliseconds + 500);
        var refusals = fixture.SiloRefusals;

        // Each malformed login is the gate's probe in turn and never reaches the silo: it must not hold the gate shut.
        for (var i = 0; i < 5; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login") { Content = new StringContent("{\"username\":", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add(ApiHost.ClientIpHeader, EdgeFixture.NewIp());
            await (await http.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        }

        await http.PostLoginAsync("after-flood-" + Guid.NewGuid().ToString("N")[..8], "wrong password", EdgeFixture.NewIp());
        Assert.Equal(refusals + 1, fixture.SiloRefusals);
    }

    [Fact]
    public async Task LoginStorm_AfterTheSiloSaysBusy_TheApiRefusesOnItsOwn_WithoutAskingTheSilo_ThenAsksAgain()
    {
        var http = fixture.CreateClient();
        await AssertTheSiloAnswersBusyAsync(http, "gate-first-");
        var refusals = fixture.SiloRefusals;
        var gatedIps = Enumerable.Range(0, 3).Select(_ => EdgeFixture.NewIp()).ToList();
        var gated = await Task.WhenAll(gatedIps.Select(ip =>
            http.PostLoginAsync("gated-" + Guid.NewGuid().ToString("N")[..8], "wrong password", ip)));

        foreach (var answer in gated)
        {
            await answer.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
            Assert.InRange(int.Parse(answer.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 1, 60);
        }

        Assert.Equal(refusals, fixture.SiloRefusals);
        // Nor is the client's IP grain asked (a storm from ever-new addresses would activate one per attempt).
        var activeIps = await fixture.ActiveClientIpKeysAsync();
        Assert.DoesNotContain(activeIps, gatedIps.Contains);

        // The gate is a moment, not a lockout: after it one login (the probe) reaches the silo again,
        // not every connection's next attempt at once.
        await Task.Delay(TinyHashingShareFixture.GateMilliseconds + 500);
        var afterGate = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            http.PostLoginAsync("after-gate-" + Guid.NewGuid().ToString("N")[..8], "wrong password", EdgeFixture.NewIp())));
        Assert.All(afterGate, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.StatusCode));
        Assert.Equal(refusals + 1, fixture.SiloRefusals);
    }

    /// <summary>One hash spends the tiny share for minutes: within three logins the silo answers busy and the gate closes.</summary>
    private static async Task AssertTheSiloAnswersBusyAsync(HttpClient http, string usernamePrefix)
    {
        var busy = false;
        for (var i = 0; i < 3 && !busy; i++)
        {
            busy = (await http.PostLoginAsync(usernamePrefix + i, "wrong password", EdgeFixture.NewIp())).StatusCode == HttpStatusCode.ServiceUnavailable;
        }

        Assert.True(busy, "the silo never answered busy");
    }
}
