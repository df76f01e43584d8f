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

    /// <summary>Test-only additions to the cluster client the API instances use.</summary>
    protected virtual void ConfigureClient(IClientBuilder client)
    {
    }

    public HttpClient CreateClient() => Api.CreateClient();

    public Task<string> AdminTokenAsync() => CreateClient().LoginAsync("admin", TestSettings.AdminPassword);

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(CreateSettings(), configureSilo: ConfigureSilo, configureClient: ConfigureClient);
        Api = new ApiHost(Cluster);
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
