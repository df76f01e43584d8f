namespace Surveillance.Api.Errors;

/// <summary>
/// Writes a problem+json response for the code paths that answer without throwing (the edge,
/// the authentication events). Bodies get their API.md members from <see cref="ProblemDetailsEnricher"/>.
/// </summary>
public static class Problems
{
    public static async Task WriteAsync(HttpContext context, int status, string errorCode, string detail, TimeSpan? retryAfter = null)
    {
        context.Response.StatusCode = status;
        context.Items[ErrorCodes.ItemKey] = errorCode;
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString();
        }

        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }
}
