using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Surveillance.Audit;

/// <summary>
/// Security events are stored before their response leaves (<see cref="IAuditLog.RecordAsync"/>),
/// but not one transaction each: concurrent events are committed together (group commit). While one
/// batch is being written, the next events gather, and the writer appends them all with one
/// transaction — one advisory lock, one read of the chain's last hash — and then releases every
/// waiting response. Each event is still its own row in the hash chain, and still on record before
/// its answer. A login storm therefore costs one database round trip per batch, not per failed login.
/// Bounded: beyond <see cref="AuditOptions.SecurityPendingLimit"/> waiting events, a refused or failed
/// event (status ≥ 400: its answer grants nothing) is folded into one aggregate row per event, status
/// and error carrying the count, written with the next batch; events that grant something always wait
/// for their own row.
/// </summary>
public sealed partial class SecurityAuditBatcher(
    AuditStore store, IOptions<AuditOptions> options, TimeProvider clock, ILogger<SecurityAuditBatcher> logger)
{
    /// <summary>Every aggregate row's request id starts with this.</summary>
    public const string AggregateRequestIdPrefix = "security-aggregate-";

    private readonly Lock _lock = new();
    private readonly Queue<Pending> _pending = new();
    private readonly Dictionary<(string Event, int Status, string? Error), int> _folded = [];
    private DateTimeOffset _foldedSince;
    private bool _writing;
    private long _aggregateRows;

    /// <summary>Returns when the entry's row (or, past the bound, its aggregate count) is decided; faults when the batch could not be stored.</summary>
    public Task RecordAsync(AuditEntry entry)
    {
        Task recorded;
        bool startWriter;
        lock (_lock)
        {
            if (_pending.Count >= options.Value.SecurityPendingLimit && entry.StatusCode >= 400)
            {
                Fold(entry.Event, entry.StatusCode, entry.Error, 1);
                recorded = Task.CompletedTask;
            }
            else
            {
                var pending = new Pending(entry);
                _pending.Enqueue(pending);
                recorded = pending.Done.Task;
            }

            startWriter = !_writing;
            _writing = true;
        }

        if (startWriter)
        {
            _ = Task.Run(WriteAllAsync);
        }

        return recorded;
    }

    private async Task WriteAllAsync()
    {
        while (true)
        {
            List<Pending> batch;
            List<AuditEntry> aggregates;
            Dictionary<(string, int, string?), int> folded;
            lock (_lock)
            {
                if (_pending.Count == 0 && _folded.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = new List<Pending>(Math.Min(_pending.Count, options.Value.BatchSize));
                while (batch.Count < options.Value.BatchSize && _pending.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                folded = new(_folded);
                aggregates = AggregateRows(folded);
                _folded.Clear();
            }

            try
            {
                await store.AppendAsync([.. batch.Select(p => p.Entry), .. aggregates], CancellationToken.None);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }
            }
            catch (Exception exception)
            {
                // Each waiting response decides (AuditMiddleware: a success is refused with 503); the
                // aggregate counts stay in memory for the next batch.
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(exception);
                }

                lock (_lock)
                {
                    foreach (var ((name, status, error), count) in folded)
                    {
                        Fold(name, status, error, count);
                    }
                }

                LogBatchFailed(logger, exception, batch.Count);
            }
        }
    }

    private void Fold(string name, int status, string? error, int count)
    {
        if (_folded.Count == 0)
        {
            _foldedSince = clock.GetUtcNow();
        }

        var key = (name, status, error);
        _folded[key] = _folded.GetValueOrDefault(key) + count;
    }

    private List<AuditEntry> AggregateRows(Dictionary<(string Event, int Status, string? Error), int> folded)
    {
        var now = clock.GetUtcNow();
        return [.. folded.Select(f => new AuditEntry
        {
            Timestamp = now,
            RequestId = string.Create(CultureInfo.InvariantCulture, $"{AggregateRequestIdPrefix}{now.ToUnixTimeMilliseconds()}-{++_aggregateRows}"),
            ClientIp = "*",
            Method = "*",
            Path = "*",
            StatusCode = f.Key.Status,
            IsSensitive = true,
            Event = f.Key.Event,
            Error = f.Key.Error,
            Details = new Dictionary<string, string>
            {
                ["count"] = f.Value.ToString(CultureInfo.InvariantCulture),
                ["from"] = _foldedSince.ToString("O", CultureInfo.InvariantCulture),
                ["to"] = now.ToString("O", CultureInfo.InvariantCulture),
            },
        })];
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store a batch of {Count} security audit events; their responses are refused")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    private sealed class Pending(AuditEntry entry)
    {
        public AuditEntry Entry { get; } = entry;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
