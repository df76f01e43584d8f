using Surveillance.Audit;

namespace Surveillance.Tests.Infrastructure;

/// <summary>An audit log that keeps what it is given, for tests of what gets audited.</summary>
public sealed class CapturingAuditLog : IAuditLog
{
    public List<AuditEntry> Entries { get; } = [];

    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        Entries.Add(entry);
        return Task.CompletedTask;
    }

    public void Enqueue(AuditEntry entry) => Entries.Add(entry);
}
