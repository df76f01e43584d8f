using Surveillance.Api.Edge;
using Surveillance.Edge;
using Surveillance.Tests.Grains;

namespace Surveillance.Tests.Edge;

/// <summary>
/// The API side of the per-IP limit: many connections of one client share its lease without a lock.
/// A flood must not turn into a grain call per request when a lease runs out, and a small limit must
/// stay exact however many requests race for its last permit.
/// </summary>
public sealed class AdmissionCacheTests(ClientIpGrainFixture fixture) : IClassFixture<ClientIpGrainFixture>
{
    [Fact]
    public async Task ConcurrentRequestsOfOneClient_ShareOneGrainCall_NotOneEach()
    {
        var cache = new AdmissionCache(fixture.Cluster.Client, TimeProvider.System);
        var ip = ClientIpGrainFixture.NewIp();
        var rule = new RateRule("default", 1000, 60);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => cache.AdmitAsync(ip, rule))));

        Assert.All(decisions, d => Assert.True(d.IsAllowed));
        // One lease of 50 permits covers all 32; a grain call per waiting request would have leased 50 each.
        Assert.Equal(AdmissionCache.LeaseSize(rule), await UsedAsync(ip, rule));
    }

    [Fact]
    public async Task ASmallLimit_StaysExact_WhenMoreRequestsRaceThanItAllows()
    {
        var cache = new AdmissionCache(fixture.Cluster.Client, TimeProvider.System);
        var ip = ClientIpGrainFixture.NewIp();
        var rule = new RateRule("login", 10, 60);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Task.Run(() => cache.AdmitAsync(ip, rule))));

        Assert.Equal(10, decisions.Count(d => d.IsAllowed));
        Assert.All(decisions.Where(d => !d.IsAllowed), d => Assert.Null(d.Block));
        Assert.Equal(10, await UsedAsync(ip, rule));
    }

    [Fact]
    public async Task UnspentPermits_GoBackToTheGrain_WhenTheLeaseIsRenewed()
    {
        var cache = new AdmissionCache(fixture.Cluster.Client, TimeProvider.System);
        var ip = ClientIpGrainFixture.NewIp();
        var rule = new RateRule("default", 1000, 60);
        Assert.True((await cache.AdmitAsync(ip, rule)).IsAllowed);
        Assert.Equal(50, await UsedAsync(ip, rule));

        await Task.Delay(AdmissionCache.LeaseLifetime + TimeSpan.FromMilliseconds(100));
        Assert.True((await cache.AdmitAsync(ip, rule)).IsAllowed);

        // 1 spent, 49 handed back, a new lease of 50.
        Assert.Equal(51, await UsedAsync(ip, rule));
    }

    private async Task<int> UsedAsync(string ip, RateRule rule) =>
        (await fixture.Ip(ip).GetStatusAsync()).RateWindows.Single(w => w.Rule == rule.Name).Used;
}
