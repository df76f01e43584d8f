namespace Surveillance.Tests.Infrastructure;

/// <summary>
/// A cluster whose silos are all gone while the API keeps running with a token issued before:
/// the state of a real outage. <c>StopSilosAsync</c>, not <c>StopAllSilosAsync</c>: the latter also
/// disposes the test cluster's client, which a running API never sees happen to its own client.
/// </summary>
public sealed class ClusterOutageFixture : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public ApiHost Api { get; private set; } = null!;
    public string AdminToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(new TestSettings());
        Api = new ApiHost(_cluster);
        AdminToken = await Api.CreateClient().LoginAsync("admin", TestSettings.AdminPassword);
        await _cluster.Cluster.StopSilosAsync();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await _cluster.DisposeAsync();
    }
}
