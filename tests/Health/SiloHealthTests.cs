using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Surveillance.Hosting;
using Surveillance.Silo;
using Surveillance.Silo.Health;
using Surveillance.Tests.Faults;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Health;

/// <summary>
/// Issue 14 §3: the silo's own health port for Kubernetes probes. Ready only while the silo is
/// Active in the membership and its storage answers; live whenever the process serves HTTP; and
/// nothing but those two paths on a port that the pod IP exposes.
/// </summary>
public sealed class SiloHealthTests : IAsyncLifetime
{
    private TcpProxy _proxy = null!;
    private RealSilo _silo = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        await TestDatabase.EnsureSchemaAsync();
        var database = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString);
        _proxy = TcpProxy.Start(new IPEndPoint(IPAddress.Loopback, database.Port));
        database.Port = _proxy.Port;
        database.Timeout = 3; // a refused connection fails at once
        _silo = RealSilo.Build(database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        _proxy.Open(); // let the silo stop cleanly, whatever the test did
        await _silo.DisposeAsync();
        _proxy.Dispose();
        _http.Dispose();
    }

    [Fact]
    public async Task Readiness_BeforeTheSiloJoined_IsNotReady_EvenWithItsStorageUp()
    {
        var readiness = _silo.App.Services.GetRequiredService<SiloReadiness>();

        var report = await readiness.CheckAsync(CancellationToken.None);

        Assert.False(report.Ready);
        Assert.NotEqual("Active", report.Membership);
        Assert.Equal("operational", report.Storage);
    }

    [Fact]
    public async Task HealthPort_ReadyWhileActive_503WithRetryAfterDuringAStorageOutage_ReadyAgainAfterIt_LiveThroughout()
    {
        await _silo.App.StartAsync();

        var ready = await GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("Active", ready.Body["membership"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/health/live")).Status);

        _proxy.Close();

        var outage = await GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, outage.Status);
        Assert.Equal("unavailable", outage.Body["storage"]!.GetValue<string>());
        Assert.NotNull(outage.RetryAfter);
        // A database outage must not make Kubernetes restart the silo.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/health/live")).Status);

        _proxy.Open();

        var clock = Stopwatch.StartNew();
        while ((await GetAsync("/health/ready")).Status != HttpStatusCode.OK)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "still not ready 15 s after the database came back");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Readiness_OnceTheSiloIsStopping_IsNotReady()
    {
        await _silo.App.StartAsync();
        var readiness = _silo.App.Services.GetRequiredService<SiloReadiness>();
        Assert.True((await readiness.CheckAsync(CancellationToken.None)).Ready);

        await _silo.App.StopAsync();

        var report = await readiness.CheckAsync(CancellationToken.None);
        Assert.False(report.Ready);
        Assert.NotEqual("Active", report.Membership);
    }

    [Fact]
    public async Task HealthPort_DoesNotServeTheDashboard_EvenWithTheDashboardPortAsHostHeader()
    {
        // The health port is reachable at the pod IP; the dashboard has no authentication and must
        // stay on loopback. Requests are told apart by the port they arrive on, not by Host.
        await _silo.App.StartAsync();

        using var onDashboardPort = await _http.GetAsync($"http://127.0.0.1:{_silo.DashboardPort}/dashboard");
        using var forged = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_silo.HealthPort}/dashboard");
        forged.Headers.Host = $"127.0.0.1:{_silo.DashboardPort}";
        using var onHealthPort = await _http.SendAsync(forged);

        Assert.Equal(HttpStatusCode.OK, onDashboardPort.StatusCode); // the dashboard exists …
        Assert.Equal(HttpStatusCode.NotFound, onHealthPort.StatusCode); // … but not on the health port
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/")).Status);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8081")] // the dashboard's port
    [InlineData("http://0.0.0.0:0")]    // a dynamic port: the probes could not find it
    [InlineData("not a url")]
    public void HealthUrl_ThatCannotServeProbesOnAPortOfItsOwn_IsRefused_NamingTheKey(string url)
    {
        var options = new SiloHostOptions { HealthUrl = url };

        var failure = Assert.Throws<InvalidOperationException>(() => options.HealthPort());

        Assert.Contains("Silo:HealthUrl", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8081")]
    [InlineData("not a url")]
    public void HealthUrl_ThatCannotServeProbes_IsRefusedBeforeTheHostIsBuilt_AsAnOptionsFailure(string url)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Silo:HealthUrl"] = url })
            .Build();

        var failure = Assert.Throws<OptionsValidationException>(
            () => StartupOptions.Read(configuration, SiloHostOptions.Section, new SiloHostOptionsValidator()));

        Assert.Contains("Silo:HealthUrl", failure.Message, StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, JsonObject Body, string? RetryAfter)> GetAsync(string path)
    {
        using var response = await _http.GetAsync($"http://127.0.0.1:{_silo.HealthPort}{path}");
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 ? JsonNode.Parse(text) as JsonObject ?? [] : [];
        return (response.StatusCode, body, response.Headers.RetryAfter?.ToString());
    }
}
