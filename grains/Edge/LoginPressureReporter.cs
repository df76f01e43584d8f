using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Surveillance.Edge;

/// <summary>Once a second: this silo's failed logins to the cluster's tally, and the storm verdict back.</summary>
public sealed partial class LoginPressureReporter(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    LoginPressure pressure,
    IOptions<ThreatOptions> options,
    TimeProvider clock,
    ILogger<LoginPressureReporter> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var total = await grains.GetGrain<ILoginPressureGrain>(0)
                    .ReportAsync(silo.SiloAddress.ToString(), pressure.FailedLoginsLastMinute(clock.GetUtcNow()));
                pressure.SetClusterRate(total, options.Value.LoginStormFailuresPerMinute);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Starting up, shutting down or failing over: keep the last verdict and try again next tick.
                LogReportFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Login pressure report failed")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);
}
