using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>The edge with a two-second idle age for client grains.</summary>
public sealed class ShortIdleAgeFixture : ApiFixture
{
    protected override TestSettings CreateSettings() => new() { Overrides = { ["Threats:IdleClientSeconds"] = "2" } };
}

/// <summary>
/// Issue 10: an address rotation creates one client grain per address; memory must follow the
/// active clients, so an idle client's grain is deactivated after the configured (short) age.
/// </summary>
public sealed class IdleClientCollectionTests(ShortIdleAgeFixture fixture) : IClassFixture<ShortIdleAgeFixture>
{
    [Fact]
    public async Task AddressRotation_IdleClientGrains_AreDeactivatedAfterTheConfiguredAge()
    {
        var http = fixture.CreateClient();
        // Logins are always counted at the client's grain: each address below activates one (and
        // reports its failed login to it as the answer leaves, so it is seen active right after).
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            http.PostLoginAsync("rotating-" + Guid.NewGuid().ToString("N")[..8], "wrong password", EdgeFixture.NewIp())));

        Assert.True(await ClientGrainActivationsAsync() >= 1, "no client grain was activated");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ClientGrainActivationsAsync() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Equal(0, await ClientGrainActivationsAsync());
    }

    private async Task<int> ClientGrainActivationsAsync()
    {
        var statistics = await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains("ClientIp", StringComparison.OrdinalIgnoreCase)).Sum(s => s.ActivationCount);
    }
}
