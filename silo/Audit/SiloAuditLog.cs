using Surveillance.Audit;
using Surveillance.Processing;
using Surveillance.Videos;

namespace Surveillance.Silo.Audit;

/// <summary>
/// What the silo does or finds on its own, with no HTTP request for the API's audit middleware to
/// record — retention deletions, stored data that fails its integrity check — appended to the
/// same hash chain the API writes, before the work goes on.
/// </summary>
public sealed class SiloAuditLog(AuditStore store, TimeProvider clock) : IVideoDeletionAudit, IIntegrityFailureAudit
{
    public Task RecordAsync(string videoId, string projectId, string reason, CancellationToken cancellationToken = default) =>
        AppendAsync(AuditEvents.VideoDeleted, reason.ToUpperInvariant(), videoId, StatusCodes.Status204NoContent, null,
            new() { ["project_id"] = projectId, ["reason"] = reason }, cancellationToken);

    Task IIntegrityFailureAudit.RecordAsync(string videoId, string projectId, string subject, CancellationToken cancellationToken) =>
        AppendAsync(AuditEvents.IntegrityFailure, "CHECK", videoId, StatusCodes.Status500InternalServerError, $"{subject} failed its integrity check",
            new() { ["video_id"] = videoId, ["project_id"] = projectId, ["subject"] = subject }, cancellationToken);

    private async Task AppendAsync(
        string eventName, string method, string videoId, int status, string? error, Dictionary<string, string> details, CancellationToken cancellationToken) =>
        await store.AppendAsync(
        [
            new AuditEntry
            {
                Timestamp = clock.GetUtcNow(),
                RequestId = $"{eventName}-{Guid.NewGuid():N}",
                Username = "system",
                ClientIp = "silo",
                Method = method,
                Path = $"/surveillance/videos/{videoId}",
                StatusCode = status,
                IsSensitive = true,
                Event = eventName,
                Error = error,
                Details = details,
            }.Normalized(),
        ], cancellationToken);
}
