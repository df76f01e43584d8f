namespace Surveillance.Api.Http;

/// <summary>
/// The response headers of API.md "Headers on every response", set before the response starts so
/// that errors and short-circuited responses carry them too. <c>Cache-Control</c> follows the
/// endpoint's <see cref="CachePolicy"/>, read here because routing has already run (and the exception
/// handler clears the endpoint before the response starts).
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var cachePolicy = CachePolicyMetadata.Of(RouteMetadata.Of(context));
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.XXSSProtection = "0";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "geolocation=(), microphone=(), camera=()";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            if (cachePolicy == CachePolicy.NoStore)
            {
                headers.CacheControl = "no-store";
            }

            headers.Remove("Server");
            return Task.CompletedTask;
        });
        return next(context);
    }
}
