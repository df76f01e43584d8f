using Surveillance.Audit;

namespace Surveillance.Api.Audit;

/// <summary>The answer of <c>GET /admin/audit</c>.</summary>
public sealed record AuditListResponse(IReadOnlyList<AuditEntryResponse> Entries);
