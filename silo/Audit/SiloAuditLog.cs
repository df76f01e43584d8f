using Surveillance.Audit;
using Surveillance.Processing;
using Surveillance.Videos;

namespace Surveillance.Silo.Audit;

/// <summary>
/// What the grains record in the audit log, as <see cref="SystemAuditEvent"/>s: there is no HTTP
/// request for the API's audit middleware to record when the silo deletes or checks on its own.
/// </summary>
public sealed class SiloAuditLog(SystemAuditLog log) : IVideoDeletionAudit, IIntegrityFailureAudit
{
    public Task RecordAsync(string videoId, string projectId, string reason, CancellationToken cancellationToken = default) =>
        log.RecordAsync(new SystemAuditEvent
        {
            Event = AuditEvents.VideoDeleted,
            Action = reason.ToUpperInvariant(),
            Resource = VideoResource(videoId),
            Details = new Dictionary<string, string> { ["project_id"] = projectId, ["reason"] = reason },
        }, cancellationToken);

    Task IIntegrityFailureAudit.RecordAsync(string videoId, string projectId, string subject, CancellationToken cancellationToken) =>
        log.RecordAsync(new SystemAuditEvent
        {
            Event = AuditEvents.IntegrityFailure,
            Action = "CHECK",
            Resource = VideoResource(videoId),
            Failure = $"{subject} failed its integrity check",
            Details = new Dictionary<string, string> { ["video_id"] = videoId, ["project_id"] = projectId, ["subject"] = subject },
        }, cancellationToken);

    private static string VideoResource(string videoId) => $"/surveillance/videos/{videoId}";
}
