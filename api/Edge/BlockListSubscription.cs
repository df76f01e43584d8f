namespace Surveillance.Api.Edge;

/// <summary>Keeps this instance's <see cref="BlockList"/> subscribed and repaired, every <see cref="BlockList.RenewInterval"/>.</summary>
public sealed partial class BlockListSubscription(IServiceProvider services, TimeProvider clock, ILogger<BlockListSubscription> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here, not in the constructor: the host builds its hosted services before it
        // validates the options, and a host that must refuse to start should say why, not that the
        // cluster client is missing.
        var blocks = services.GetRequiredService<BlockList>();
        using var timer = new PeriodicTimer(BlockList.RenewInterval, clock);
        do
        {
            try
            {
                await blocks.RenewAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The cluster is starting or failing over: the copy keeps its blocks meanwhile.
                LogRenewFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The block list could not be renewed; keeping the current copy")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);
}
