using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Surveillance.Audit;

/// <summary>
/// The bounded buffer between requests and <see cref="AuditBackgroundWriter"/>. A full queue drops
/// the new entry rather than blocking the request (so a flood or a slow database cannot stall the
/// API through its audit log); drops are counted and reported as warnings.
/// </summary>
public sealed partial class AuditBacklog(IOptions<AuditOptions> options, ILogger<AuditBacklog> logger)
{
    // Created on first use, so that a bad Audit:QueueCapacity is reported by ValidateOnStart.
    private readonly Lazy<Channel<AuditEntry>> _channel = new(() => Channel.CreateBounded<AuditEntry>(
        new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refuse, so that the drop is seen and counted
            SingleReader = true,
        }));

    private long _droppedSinceReport;
    private long _droppedTotal;

    public ChannelReader<AuditEntry> Reader => _channel.Value.Reader;

    /// <summary>Entries dropped since start-up because the queue was full or closed.</summary>
    public long DroppedTotal => Interlocked.Read(ref _droppedTotal);

    public void Enqueue(AuditEntry entry)
    {
        if (_channel.Value.Writer.TryWrite(entry))
        {
            return;
        }

        Interlocked.Increment(ref _droppedTotal);
        if (Interlocked.Increment(ref _droppedSinceReport) == 1)
        {
            LogDropping(logger, options.Value.QueueCapacity, entry.RequestId);
        }
    }

    /// <summary>Returns the drops since the last call and starts counting again.</summary>
    public long TakeDroppedCount() => Interlocked.Exchange(ref _droppedSinceReport, 0);

    /// <summary>No more entries: the writer drains what is queued and stops.</summary>
    public void Complete() => _channel.Value.Writer.TryComplete();

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Audit queue full or closed (capacity {Capacity}): dropping routine audit entries, first was request {RequestId}")]
    private static partial void LogDropping(ILogger logger, int capacity, string requestId);
}
