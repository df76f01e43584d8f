using Surveillance.Edge;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Grains;

/// <summary>
/// Issue 10: an address rotation creates a client grain per address; their soft state must go soon
/// after the addresses fall silent (Threats:IdleClientSeconds), so silo memory follows active clients.
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
    public async Task IdleClientGrain_IsDeactivated_AfterTheConfiguredAge_AndItsSoftStateIsGone()
    {
        var ip = "203.0.113.200";
        var grain = _cluster.Client.GetGrain<IClientIpGrain>(ip);
        await grain.RecordFailedLoginAsync();
        Assert.Equal(1, (await grain.GetStatusAsync()).FailedLogins);
        var busy = _cluster.Client.GetGrain<IClientIpGrain>("203.0.113.201");

        // Idle for the age plus a collection quantum (age / 2) plus slack; the other grain stays busy.
        var until = DateTimeOffset.UtcNow.AddSeconds(3 * IdleSeconds + 1);
        await busy.RecordFailedLoginAsync();
        while (DateTimeOffset.UtcNow < until)
        {
            Assert.Equal(1, (await busy.GetStatusAsync()).FailedLogins);
            await Task.Delay(250);
        }

        Assert.Equal(0, (await grain.GetStatusAsync()).FailedLogins);
    }
}
