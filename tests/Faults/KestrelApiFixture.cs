using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Faults;

/// <summary>
/// The API on a real Kestrel socket (loopback, a free port) in front of a real test cluster:
/// chunked framing, truncated bodies and header limits only exist on a real connection, not in
/// TestServer.
/// </summary>
public class KestrelApiFixture : IAsyncLifetime
{
    private readonly Lazy<Task<string>> _adminToken;

    public KestrelApiFixture() => _adminToken = new(() => CreateClient().LoginAsync("admin", TestSettings.AdminPassword));

    public TestCluster Cluster { get; private set; } = null!;
    public ApiHost Api { get; private set; } = null!;

    /// <summary>The answers the API gave, by request id, even to clients that left.</summary>
    public ExchangeRecorder Recorder { get; } = new();

    /// <summary>The API's loopback port.</summary>
    public int Port { get; private set; }

    protected virtual TestSettings CreateSettings() => new();

    public Task<string> AdminTokenAsync() => _adminToken.Value;

    public HttpClient CreateClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(60) };

    public virtual async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(CreateSettings());
        Api = StartOnKestrel(Cluster, Recorder, out var port);
        Port = port;
    }

    /// <summary>An API host for <paramref name="cluster"/> listening on a free loopback port.</summary>
    public static ApiHost StartOnKestrel(TestCluster cluster, ExchangeRecorder recorder, out int port)
    {
        var api = new ApiHost(cluster, services => services.AddSingleton<IStartupFilter>(recorder));
        api.UseKestrel(0);
        api.StartServer();
        var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        port = new Uri(address).Port;
        return api;
    }

    public virtual async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
