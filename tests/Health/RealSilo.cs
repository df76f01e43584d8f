using Microsoft.AspNetCore.Builder;
using Surveillance.Silo;
using Surveillance.Tests.Tls;

namespace Surveillance.Tests.Health;

/// <summary>
/// The silo process as <c>dotnet Surveillance.Silo.dll</c> builds it (<see cref="SiloProgram.Build"/>),
/// in Development on free loopback ports, with its own data directory, ServiceId and ClusterId,
/// plaintext Orleans links (<c>tests/Tls</c> covers TLS) and the given database.
/// </summary>
public sealed class RealSilo : IAsyncDisposable
{
    private RealSilo(WebApplication app, string dataPath, int healthPort, int dashboardPort)
    {
        App = app;
        DataPath = dataPath;
        HealthPort = healthPort;
        DashboardPort = dashboardPort;
    }

    public WebApplication App { get; }
    public string DataPath { get; }
    public int HealthPort { get; }
    public int DashboardPort { get; }

    public static RealSilo Build(string connectionString, string? dataPath = null, string? serviceId = null)
    {
        dataPath ??= Path.Combine(Path.GetTempPath(), "surveillance-tests", Guid.NewGuid().ToString("N"));
        serviceId ??= "health-" + Guid.NewGuid().ToString("N")[..8];
        var (healthPort, dashboardPort) = (TlsNodes.FreePort(), TlsNodes.FreePort());
        var app = SiloProgram.Build(
        [
            "--environment=Development",
            $"--ConnectionStrings:Orleans={connectionString}",
            $"--Orleans:ServiceId={serviceId}",
            $"--Orleans:ClusterId=cluster-{Guid.NewGuid():N}",
            $"--Orleans:SiloPort={TlsNodes.FreePort()}",
            $"--Orleans:GatewayPort={TlsNodes.FreePort()}",
            $"--Silo:DashboardUrl=http://127.0.0.1:{dashboardPort}",
            $"--Silo:HealthUrl=http://127.0.0.1:{healthPort}",
            "--ClusterTls:Disabled=true",
            $"--Storage:DataPath={dataPath}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        return new RealSilo(app, dataPath, healthPort, dashboardPort);
    }

    public async ValueTask DisposeAsync()
    {
        var lifetime = App.Lifetime;
        if (lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopped.IsCancellationRequested)
        {
            try
            {
                await App.StopAsync();
            }
            catch (OperationCanceledException)
            {
            }
        }

        await App.DisposeAsync();
        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
