using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Surveillance.Api.Errors;

/// <summary>
/// Gives every problem+json the members API.md requires (<c>error_code</c>, <c>request_id</c>,
/// <c>timestamp</c>, <c>path</c>), whoever produced it: the exception handler, status-code pages
/// (unknown routes, 405) or the authentication events.
/// </summary>
public static class ProblemDetailsEnricher
{
    public static void Enrich(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        var status = problem.Status.Value;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(status);
        problem.Type ??= "about:blank"; // RFC 9457 §4.2.1: ASP.NET has no default type for some statuses (413, 429)
        problem.Detail ??= DefaultDetail(status, problem.Title);
        problem.Extensions.Remove("traceId");
        problem.Extensions.Remove("trace_id");
        problem.Extensions["error_code"] = ErrorCodeFeature.Of(http, status);
        problem.Extensions["request_id"] = http.TraceIdentifier;
        problem.Extensions["timestamp"] = Http.UtcTimestamp.Format(DateTimeOffset.UtcNow);
        problem.Extensions["path"] = (http.Request.PathBase + http.Request.Path).Value;
        if (status == StatusCodes.Status401Unauthorized && !http.Response.Headers.ContainsKey(HeaderNames.WWWAuthenticate))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
        }
    }

    private static string DefaultDetail(int status, string title) => status switch
    {
        StatusCodes.Status404NotFound => "No such resource.",
        StatusCodes.Status405MethodNotAllowed => "This resource does not accept that method.",
        StatusCodes.Status401Unauthorized => "Authentication is required.",
        StatusCodes.Status403Forbidden => "You are not allowed to do this.",
        _ => title,
    };
}
