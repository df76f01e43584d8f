namespace Surveillance.Audit;

/// <summary>Writes security events before their answer (committed together: <see cref="SecurityAuditBatcher"/>) and routine entries through the bounded backlog.</summary>
public sealed class AuditLog(SecurityAuditBatcher security, AuditBacklog backlog) : IAuditLog
{
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken) => security.RecordAsync(entry);

    public void Enqueue(AuditEntry entry) => backlog.Enqueue(entry);
}
