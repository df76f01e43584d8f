using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>A cluster whose login-storm threshold is a handful of failed logins per minute.</summary>
public sealed class LowStormThresholdFixture : EdgeFixture
{
    public const int StormThreshold = 3;
    public const int StormLoginLimit = 1;

    protected override TestSettings CreateSettings()
    {
        var overrides = Overrides();
        overrides["RateLimiting:Rules:login:Limit"] = "10";
        overrides["Threats:MaxFailedLogins"] = "1000";
        overrides["Threats:LoginStormFailuresPerMinute"] = $"{StormThreshold}";
        overrides["Threats:StormLoginLimit"] = $"{StormLoginLimit}";
        return new TestSettings { Overrides = overrides };
    }
}

/// <summary>
/// Issue 10: credential stuffing from a botnet keeps every address under its own login limit. When
/// failed logins across the cluster pass Threats:LoginStormFailuresPerMinute, addresses without a
/// recent successful login get the stricter Threats:StormLoginLimit; known clients keep theirs.
/// </summary>
public sealed class LoginStormTests(LowStormThresholdFixture fixture) : IClassFixture<LowStormThresholdFixture>
{
    [Fact]
    public async Task CredentialStuffingFromManyIps_TriggersTheStormLimit_ForNewIps_NotForKnownClients()
    {
        var http = fixture.CreateClient();
        var known = EdgeFixture.NewIp();
        Assert.Equal(HttpStatusCode.OK, (await http.PostLoginAsync("admin", TestSettings.AdminPassword, known)).StatusCode);

        for (var i = 0; i < 2 * LowStormThresholdFixture.StormThreshold; i++)
        {
            await (await http.PostLoginAsync("victim" + i, "guess " + i, EdgeFixture.NewIp())).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        // The silos report once a second; the storm is on within a few.
        var bot = EdgeFixture.NewIp();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        HttpResponseMessage second;
        do
        {
            await Task.Delay(500);
            bot = EdgeFixture.NewIp();
            await http.PostLoginAsync("victim", "guess", bot);
            second = await http.PostLoginAsync("victim", "guess again", bot);
        }
        while (second.StatusCode != HttpStatusCode.TooManyRequests && DateTimeOffset.UtcNow < deadline);

        await second.AssertProblemAsync(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        for (var i = 0; i < 3; i++)
        {
            await (await http.PostLoginAsync("victim", "typo " + i, known)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }
}
