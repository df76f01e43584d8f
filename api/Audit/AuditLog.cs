using Surveillance.Audit;
namespace Surveillance.Api.Audit;

/// <summary>Writes security events at once and routine entries through the bounded backlog.</summary>
public sealed class AuditLog(AuditStore store, AuditBacklog backlog) : IAuditLog
{
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        store.AppendAsync([entry], cancellationToken);

    public void Enqueue(AuditEntry entry) => backlog.Enqueue(entry);
}
