namespace Surveillance.Processing;

/// <summary>
/// Records, in the tamper-evident audit log, stored data the silo found altered (a results row
/// whose seal does not match, a stored video that fails authentication while being probed).
/// </summary>
public interface IIntegrityFailureAudit
{
    Task RecordAsync(string videoId, string projectId, string subject, CancellationToken cancellationToken = default);
}
