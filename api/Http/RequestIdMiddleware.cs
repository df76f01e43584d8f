using System.Text.RegularExpressions;

namespace Surveillance.Api.Http;

/// <summary>
/// Every response carries <c>X-Request-Id</c>: the caller's own when it is a safe token of at most
/// 64 <c>[A-Za-z0-9._-]</c> (so it cannot inject into logs or headers), a fresh one otherwise.
/// </summary>
public sealed partial class RequestIdMiddleware(RequestDelegate next)
{
    public const string Header = "X-Request-Id";

    public Task InvokeAsync(HttpContext context)
    {
        var offered = context.Request.Headers[Header].ToString();
        var id = SafeToken().IsMatch(offered) ? offered : Guid.NewGuid().ToString("N");
        context.TraceIdentifier = id;
        context.Response.Headers[Header] = id;
        // The exception handler clears the headers of a failed response before writing its
        // problem+json: set the header again as the response starts, so errors carry it too.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[Header] = id;
            return Task.CompletedTask;
        });
        return next(context);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeToken();
}
