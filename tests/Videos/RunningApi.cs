using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Videos;

/// <summary>A cluster and an API started with given settings, for tests that stop and start them (restarts, key changes).</summary>
public sealed class RunningApi : IAsyncDisposable
{
    private RunningApi(TestCluster cluster, ApiHost api)
    {
        Cluster = cluster;
        Api = api;
    }

    public TestCluster Cluster { get; }
    public ApiHost Api { get; }

    public static async Task<RunningApi> StartAsync(TestSettings settings)
    {
        var cluster = await TestCluster.StartAsync(settings);
        return new RunningApi(cluster, new ApiHost(cluster));
    }

    public HttpClient CreateClient() => Api.CreateClient();

    public Task<string> AdminTokenAsync() => CreateClient().LoginAsync("admin", TestSettings.AdminPassword);

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
