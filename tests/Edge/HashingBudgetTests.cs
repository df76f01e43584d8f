using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>A silo whose password-hashing budget is one thread, a queue of one and a short wait.</summary>
public sealed class OneHashAtATimeFixture : ApiFixture
{
    protected override TestSettings CreateSettings() => new()
    {
        Overrides =
        {
            ["Auth:HashingThreads"] = "1",
            ["Auth:HashingQueueLength"] = "1",
            ["Auth:HashingWaitMilliseconds"] = "50",
        },
    };

    public HashingBudget Budget => Cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<HashingBudget>();
}

/// <summary>
/// Issue 10: bcrypt is slow on purpose, so an unbounded login storm occupies every core of the silo.
/// Hashing runs within a fixed budget; a login beyond it is refused fast with 503 and Retry-After,
/// and the rest of the service keeps answering.
/// </summary>
public sealed class HashingBudgetTests(OneHashAtATimeFixture fixture) : IClassFixture<OneHashAtATimeFixture>
{
    [Fact]
    public async Task LoginStorm_BeyondTheHashingBudget_Gets503WithRetryAfter_OneHashAtATime_AndReadsAreStillServed()
    {
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenAsync();

        // Credential stuffing: every attempt aims at another account (each its own grain, so they all
        // reach the hashing budget at once), from another address.
        var storm = Enumerable.Range(0, 20)
            .Select(i => http.PostLoginAsync("stuffed-" + i, "wrong password " + i, EdgeFixture.NewIp()))
            .ToList();
        var read = await http.GetFromAsync(EdgeFixture.NewIp(), EdgeRequests.Me, admin);
        var answers = await Task.WhenAll(storm);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(1, fixture.Budget.PeakRunning);
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.ServiceUnavailable }));
        foreach (var answer in refused)
        {
            await answer.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
            Assert.InRange(int.Parse(answer.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 1, 60);
        }

        // Served logins still work once the storm has passed, for a client that honours Retry-After
        // (the API instance itself refuses logins for a moment after the silo's last "busy": LoginGate).
        await Task.Delay(TimeSpan.FromSeconds(refused.Max(a => int.Parse(a.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture))));
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync("admin", TestSettings.AdminPassword, EdgeFixture.NewIp())).StatusCode);
    }
}
