using Surveillance.Audit;
namespace Surveillance.Api.Audit;

/// <summary>
/// What an endpoint (or the edge) tells the audit middleware about the current request, so that
/// the request's one audit entry carries the right event name, sensitivity and details.
/// </summary>
public sealed class AuditEventFeature
{
    public string? Event { get; set; }

    /// <summary>Overrides the default (sensitive when the request is a security event or under /auth or /admin).</summary>
    public bool? IsSensitive { get; set; }

    /// <summary>Who acted when the request carries no token (a login names its user here).</summary>
    public string? Username { get; set; }

    public Dictionary<string, string> Details { get; } = new(StringComparer.Ordinal);
}

public static class AuditHttpContextExtensions
{
    /// <summary>
    /// Names the audit event of this request, e.g. <c>context.Audit(AuditEvents.UserCreated, details: ...)</c>.
    /// Security events (<see cref="AuditEvents.IsSecurityEvent"/>) are stored before the response is sent.
    /// </summary>
    public static AuditEventFeature Audit(this HttpContext context, string eventName, bool? sensitive = null,
        IReadOnlyDictionary<string, string>? details = null, string? username = null)
    {
        var feature = context.Features.Get<AuditEventFeature>() ?? new AuditEventFeature();
        feature.Event = eventName;
        feature.IsSensitive = sensitive ?? feature.IsSensitive;
        feature.Username = username ?? feature.Username;
        foreach (var (key, value) in details ?? new Dictionary<string, string>())
        {
            feature.Details[key] = value;
        }

        context.Features.Set(feature);
        return feature;
    }
}
