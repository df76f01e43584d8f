namespace Surveillance.Tests.Infrastructure;

/// <summary>One cluster and one API instance for a test class; most API tests need nothing more.</summary>
public class ApiFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;
    public ApiHost Api { get; private set; } = null!;

    protected virtual TestSettings CreateSettings() => new();

    public HttpClient CreateClient() => Api.CreateClient();

    public Task<string> AdminTokenAsync() => CreateClient().LoginAsync("admin", TestSettings.AdminPassword);

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(CreateSettings());
        Api = new ApiHost(Cluster);
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
