namespace Surveillance.Api.Edge;

/// <summary>Keeps this instance's <see cref="BlockList"/> subscribed and repaired, every <see cref="BlockList.RenewInterval"/>.</summary>
public sealed partial class BlockListSubscription(BlockList blocks, TimeProvider clock, ILogger<BlockListSubscription> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
