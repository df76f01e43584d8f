using Surveillance.Audit;
using Surveillance.Videos;

namespace Surveillance.Silo.Audit;

/// <summary>Appends a <c>video_deleted</c> entry to the same hash chain the API writes.</summary>
public sealed class AuditedVideoDeletions(AuditStore store, TimeProvider clock) : IVideoDeletionAudit
{
    public async Task RecordAsync(string videoId, string projectId, string reason, CancellationToken cancellationToken = default) =>
        await store.AppendAsync(
        [
            new AuditEntry
            {
                Timestamp = clock.GetUtcNow(),
                RequestId = $"{reason}-{Guid.NewGuid():N}",
                Username = "system",
                ClientIp = "silo",
                Method = "RETENTION",
                Path = $"/surveillance/videos/{videoId}",
                StatusCode = StatusCodes.Status204NoContent,
                IsSensitive = true,
                Event = AuditEvents.VideoDeleted,
                Details = new Dictionary<string, string> { ["project_id"] = projectId, ["reason"] = reason },
            }.Normalized(),
        ], cancellationToken);
}
