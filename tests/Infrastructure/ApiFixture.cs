using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Surveillance.Tests.Infrastructure;

/// <summary>
/// One cluster and one API instance; most API tests need nothing more. A test class gets its own
/// (<c>IClassFixture</c>) when its options or the state it leaves differ from everyone else's,
/// or shares one with other classes through a collection (tests/Infrastructure/SharedClusters.cs).
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _tokens = new(StringComparer.Ordinal);

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

    /// <summary>
    /// A client that presents a client IP of its own, so that many requests from one test class
    /// never meet a per-IP limit meant for attackers.
    /// </summary>
    public HttpClient CreateIsolatedClient()
    {
        var http = CreateClient();
        http.DefaultRequestHeaders.Add(ApiHost.ClientIpHeader, $"10.{RandomNumberGenerator.GetInt32(256)}.{RandomNumberGenerator.GetInt32(256)}.{RandomNumberGenerator.GetInt32(1, 255)}");
        return http;
    }

    /// <summary>A fresh admin login (a session of its own, which a test may revoke).</summary>
    public Task<string> AdminTokenAsync() => CreateClient().LoginAsync("admin", TestSettings.AdminPassword);

    /// <summary>
    /// One admin login per fixture, reused: for tests that never revoke the admin's sessions, as
    /// fewer logins keep the suite fast (bcrypt) and well under the login rate limit.
    /// </summary>
    public Task<string> AdminTokenOnceAsync() => TokenOnceAsync("admin", TestSettings.AdminPassword);

    /// <summary>One login per fixture for this account, reused.</summary>
    public Task<string> TokenOnceAsync(string username, string password) =>
        _tokens.GetOrAdd(username, _ => new Lazy<Task<string>>(() => CreateClient().LoginAsync(username, password))).Value;

    /// <summary>Creates the user (password <see cref="TestSettings.UserPassword"/>) and logs it in, once per fixture.</summary>
    public Task<string> UserTokenOnceAsync(string username, params string[] roles) =>
        _tokens.GetOrAdd(username, _ => new Lazy<Task<string>>(async () =>
        {
            var http = CreateClient();
            await http.CreateUserAsync(await AdminTokenOnceAsync(), username, TestSettings.UserPassword, roles);
            return await http.LoginAsync(username, TestSettings.UserPassword);
        })).Value;

    public virtual async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(CreateSettings(), configureSilo: ConfigureSilo, configureClient: ConfigureClient);
        Api = new ApiHost(Cluster);
    }

    public virtual async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
