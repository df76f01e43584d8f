using Surveillance.Audit;

namespace Surveillance.Api.Audit;

/// <summary>The audit event of a request whose endpoint named none (<see cref="AuditHttpContextExtensions.Audit"/>).</summary>
public static class RequestAuditEvents
{
    /// <summary>The name a request gets when its endpoint named none: by path and outcome.</summary>
    public static string Infer(string method, PathString path, int status)
    {
        var succeeded = status is >= 200 and < 400;
        if (path.Equals("/auth/login", StringComparison.OrdinalIgnoreCase) && status is < 400 or 401)
        {
            return succeeded ? AuditEvents.LoginSuccess : AuditEvents.LoginFail;
        }

        if (path.Equals("/auth/logout", StringComparison.OrdinalIgnoreCase) && succeeded)
        {
            return AuditEvents.TokenRevoked;
        }

        if (path.Equals("/auth/change-password", StringComparison.OrdinalIgnoreCase) && HttpMethods.IsPost(method))
        {
            return succeeded ? AuditEvents.PasswordChange : AuditEvents.PasswordChangeFail;
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
