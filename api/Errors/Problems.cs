namespace Surveillance.Api.Errors;

/// <summary>
/// The one writer of problem+json: the exception handler, the edge's refusals, the authentication
/// events and the audit's fail-closed 503 all answer through it. Refusals on the hot path (blocked,
/// rate limited, busy) call it directly rather than throwing: an exception costs more than the
/// refusal itself. Bodies get their API.md members from <see cref="ProblemDetailsEnricher"/>.
/// </summary>
public static class Problems
{
    /// <summary>The <c>Retry-After</c> of a 503 for an unreachable cluster or database.</summary>
    public static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(5);

    public static Task WriteAsync(HttpContext context, int status, string errorCode, string detail, TimeSpan? retryAfter = null) =>
        Service(context).WriteAsync(Prepare(context, status, errorCode, detail, retryAfter)).AsTask();

    /// <summary>As <see cref="WriteAsync"/>, but false rather than an exception when no writer accepts the request.</summary>
    public static ValueTask<bool> TryWriteAsync(HttpContext context, int status, string errorCode, string detail, TimeSpan? retryAfter = null) =>
        Service(context).TryWriteAsync(Prepare(context, status, errorCode, detail, retryAfter));

    /// <summary>503 <c>SERVICE_UNAVAILABLE</c> with <see cref="UnavailableRetryAfter"/>.</summary>
    public static Task UnavailableAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, ProblemMessages.Unavailable, UnavailableRetryAfter);

    /// <summary><c>Retry-After</c> in whole seconds, at least one.</summary>
    public static void SetRetryAfter(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static IProblemDetailsService Service(HttpContext context) =>
        context.RequestServices.GetRequiredService<IProblemDetailsService>();

    private static ProblemDetailsContext Prepare(HttpContext context, int status, string errorCode, string detail, TimeSpan? retryAfter)
    {
        context.Response.StatusCode = status;
        context.Features.Set(ErrorCodeFeature.For(errorCode));
        if (retryAfter is { } wait)
        {
            SetRetryAfter(context.Response, wait);
        }

        return new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Detail = detail },
        };
    }
}
