namespace Surveillance.Tests.Infrastructure;

/// <summary>One cluster and one API instance for a test class; most API tests need nothing more.</summary>
public class ApiFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;
    public ApiHost Api { get; private set; } = null!;

    protected virtual TestSettings CreateSettings() => new();

    /// <summary>Test-only additions to the silo (grain call filters, storage decorators).</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo)
    {
    }

    public HttpClient CreateClient() => Api.CreateClient();

    public Task<string> AdminTokenAsync() => CreateClient().LoginAsync("admin", TestSettings.AdminPassword);

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(CreateSettings(), configureSilo: ConfigureSilo);
        Api = new ApiHost(Cluster);
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
