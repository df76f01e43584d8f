using Surveillance.Audit;

namespace Surveillance.Api.Audit;

/// <summary>
/// The audit event of a request whose handler named none (<see cref="AuditHttpContextExtensions.Audit"/>):
/// its endpoint's <see cref="AuditEventMetadata"/> for that outcome, else the status's own event.
/// </summary>
public static class RequestAuditEvents
{
    public static string Infer(EndpointMetadataCollection? metadata, int status)
    {
        var succeeded = status is >= 200 and < 400;
        if (metadata?.GetMetadata<AuditEventMetadata>() is { } named && (succeeded ? named.OnSuccess : named.OnFailure) is { } name)
        {
            return name;
        }

        return status switch
        {
            StatusCodes.Status403Forbidden => AuditEvents.AuthorizationFail,
            StatusCodes.Status429TooManyRequests => AuditEvents.RateLimitExceeded,
            StatusCodes.Status400BadRequest => AuditEvents.InputValidationFail,
            _ => AuditEvents.HttpRequest,
        };
    }
}
