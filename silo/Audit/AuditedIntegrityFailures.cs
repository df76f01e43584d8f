using Surveillance.Audit;
using Surveillance.Processing;

namespace Surveillance.Silo.Audit;

/// <summary>Appends an <c>integrity_failure</c> entry, found by the silo, to the audit chain.</summary>
public sealed class AuditedIntegrityFailures(AuditStore store, TimeProvider clock) : IIntegrityFailureAudit
{
    public async Task RecordAsync(string videoId, string projectId, string subject, CancellationToken cancellationToken = default) =>
        await store.AppendAsync(
        [
            new AuditEntry
            {
                Timestamp = clock.GetUtcNow(),
                RequestId = $"integrity-{Guid.NewGuid():N}",
                Username = "system",
                ClientIp = "silo",
                Method = "CHECK",
                Path = $"/surveillance/videos/{videoId}",
                StatusCode = StatusCodes.Status500InternalServerError,
                IsSensitive = true,
                Event = AuditEvents.IntegrityFailure,
                Error = $"{subject} failed its integrity check",
                Details = new Dictionary<string, string> { ["video_id"] = videoId, ["project_id"] = projectId, ["subject"] = subject },
            }.Normalized(),
        ], cancellationToken);
}
