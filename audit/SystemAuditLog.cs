namespace Surveillance.Audit;

/// <summary>
/// Appends <see cref="SystemAuditEvent"/>s to the chain before the work goes on, one row each.
/// </summary>
/// <remarks>
/// The row keeps the columns every entry has (API.md "Audit": <c>method</c>, <c>path</c>,
/// <c>status_code</c>, …), because <c>GET /admin/audit</c> and its export answer them for every
/// entry and the stored rows must keep verifying: the action goes in <c>method</c>, the resource
/// in <c>path</c>, and the outcome in <c>status_code</c> (204 done, 500 failed). This class is the
/// one place that mapping is made.
/// </remarks>
public sealed class SystemAuditLog(AuditStore store, TimeProvider clock)
{
    /// <summary>The <c>username</c> of system events.</summary>
    public const string Actor = "system";

    /// <summary>The <c>client_ip</c> of system events: the silo is the only host that records them.</summary>
    public const string Origin = "silo";

    private const int Done = 204;
    private const int Failed = 500;

    public async Task RecordAsync(SystemAuditEvent systemEvent, CancellationToken cancellationToken = default) =>
        await store.AppendAsync([ToEntry(systemEvent, clock.GetUtcNow())], cancellationToken);

    public static AuditEntry ToEntry(SystemAuditEvent systemEvent, DateTimeOffset at) => new AuditEntry
    {
        Timestamp = at,
        RequestId = $"{systemEvent.Event}-{Guid.NewGuid():N}",
        Username = Actor,
        ClientIp = Origin,
        Method = systemEvent.Action,
        Path = systemEvent.Resource,
        StatusCode = systemEvent.Failure is null ? Done : Failed,
        IsSensitive = true,
        Event = systemEvent.Event,
        Error = systemEvent.Failure,
        Details = systemEvent.Details,
    };
}
