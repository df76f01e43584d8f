using Surveillance.Edge;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Grains;

/// <summary>
/// Issue 10: an address rotation creates a client grain per address; their soft state must go soon
/// after the addresses fall silent (Threats:IdleClientSeconds), so silo memory follows active clients;
/// what must survive (strikes) does.
/// </summary>
public sealed class IdleClientCollectionTests : IAsyncLifetime
{
    // Long enough that the busy grain's calls, 250 ms apart, never leave it idle that long on a loaded machine.
    private const int IdleSeconds = 4;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(new TestSettings
    {
        Overrides = { ["Threats:IdleClientSeconds"] = $"{IdleSeconds}" },
    });

    public Task DisposeAsync() => _cluster.DisposeAsync().AsTask();

    [Fact]
    public async Task IdleClientGrain_IsDeactivated_AfterTheConfiguredAge_ItsRateWindowsGo_ItsStrikesStay()
    {
        var rule = new RateRule("default", 100, 3600);
        var ip = $"203.0.113.{Random.Shared.Next(1, 128)}";
        var grain = _cluster.Client.GetGrain<IClientIpGrain>(ip);
        await grain.AdmitAsync(rule, 1, 0, 0);
        await grain.RecordFailedLoginAsync();
        Assert.Equal(1, Used(await grain.GetStatusAsync()));
        var busy = _cluster.Client.GetGrain<IClientIpGrain>($"203.0.113.{Random.Shared.Next(128, 255)}");

        // Idle for the age plus a collection quantum (age / 2) plus slack; the other grain stays busy.
        var until = DateTimeOffset.UtcNow.AddSeconds(3 * IdleSeconds + 1);
        await busy.AdmitAsync(rule, 1, 0, 0);
        while (DateTimeOffset.UtcNow < until)
        {
            Assert.Equal(1, Used(await busy.GetStatusAsync()));
            await Task.Delay(250);
        }

        var status = await grain.GetStatusAsync();
        Assert.Equal(0, Used(status));
        // The failed login is a strike: stored (ClientHistoryGrain), so the new activation still counts it.
        Assert.Equal(1, status.FailedLogins);
    }

    private static int Used(IpStatus status) => status.RateWindows.Sum(w => w.Used);
}
