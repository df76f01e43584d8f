namespace Surveillance.Videos;

/// <summary>
/// Records, in the tamper-evident audit log, deletions the silo makes on its own (retention),
/// where there is no HTTP request for the API's audit middleware to record.
/// </summary>
public interface IVideoDeletionAudit
{
    Task RecordAsync(string videoId, string projectId, string reason, CancellationToken cancellationToken = default);
}
