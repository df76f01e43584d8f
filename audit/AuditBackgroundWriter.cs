using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Surveillance.Audit;

/// <summary>
/// Appends queued routine entries in batches. On graceful shutdown it closes the queue and drains
/// it before returning, so that nothing accepted is lost unless the host's shutdown timeout ends
/// the wait. A failed batch is retried a few times, then dropped with an error (never crashes the host).
/// </summary>
public sealed partial class AuditBackgroundWriter(
    AuditBacklog queue, AuditStore store, IOptions<AuditOptions> options, ILogger<AuditBackgroundWriter> logger) : BackgroundService
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    private readonly CancellationTokenSource _abort = new();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        await using var registration = cancellationToken.Register(_abort.Cancel);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    // Deliberately not bound to stoppingToken: stopping completes the queue and the loop ends once
    // it is drained; only the host's shutdown deadline (_abort) cuts it short.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEntry>(options.Value.BatchSize);
        try
        {
            while (await queue.Reader.WaitToReadAsync(_abort.Token))
            {
                while (batch.Count < options.Value.BatchSize && queue.Reader.TryRead(out var entry))
                {
                    batch.Add(entry);
                }

                await WriteAsync(batch);
                batch.Clear();
                if (queue.TakeDroppedCount() is > 0 and var dropped)
                {
                    LogDropped(logger, dropped);
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            LogAbandoned(logger, batch.Count + queue.Reader.Count);
        }
    }

    private async Task WriteAsync(List<AuditEntry> batch)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await store.AppendAsync(batch, _abort.Token);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !_abort.IsCancellationRequested)
            {
                if (attempt >= RetryDelays.Length)
                {
                    LogBatchLost(logger, exception, batch.Count);
                    return;
                }

                await Task.Delay(RetryDelays[attempt], _abort.Token);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} routine audit entries were dropped because the audit queue was full")]
    private static partial void LogDropped(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store a batch of {Count} audit entries; they are lost")]
    private static partial void LogBatchLost(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown deadline reached: {Count} queued audit entries were not stored")]
    private static partial void LogAbandoned(ILogger logger, int count);
}
