namespace Surveillance.Audit;

/// <summary>The audit log (API.md "Audit"): append-only, hash-chained, in PostgreSQL.</summary>
public interface IAuditLog
{
    /// <summary>Stores the entry before returning: for security events, which must be on record before their response.</summary>
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Queues a routine entry for the background writer, without waiting. When the queue is full the
    /// entry is dropped and counted (a flood must not stall every request); never use this for
    /// security events.
    /// </summary>
    void Enqueue(AuditEntry entry);
}
