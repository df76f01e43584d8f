using System.Globalization;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;

namespace Surveillance.Api.Edge;

/// <summary>
/// The checks every request passes before authentication (API.md "Order"), so an anonymous
/// probe is counted and refused like any other: the IP's block, its rate limit, then intrusion
/// detection. <c>/health*</c> is exempt.
/// </summary>
public sealed class EdgeGuardMiddleware(
    RequestDelegate next,
    ClientIpResolver resolver,
    RateRules rules,
    AdmissionCache admissions,
    TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var address = resolver.Resolve(context);
        ClientAddress.Set(context, address);
        if (RateRules.IsExempt(context.Request.Path))
        {
            await next(context);
            return;
        }

        var ip = ClientAddress.Of(context);
        var decision = await admissions.AdmitAsync(ip, rules.For(context.Request.Path));
        if (decision.Block is { } block)
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.IpBlocked,
                $"This IP is blocked until {UtcTimestamp.Format(block.ExpiresAt)}.", block.ExpiresAt - clock.GetUtcNow());
            return;
        }

        WriteRateLimitHeaders(context, decision);
        if (!decision.IsAllowed)
        {
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                "Too many requests from this IP; retry later.", decision.ResetAt - clock.GetUtcNow());
            return;
        }

        if (await RequestInspector.InspectAsync(context, context.RequestAborted) is { } finding)
        {
            await ThreatReporter.ReportAsync(context, finding);
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.SuspiciousInput,
                $"The request was refused: suspicious input in {finding.Location}.");
            return;
        }

        await next(context);
    }

    // Set as the response starts: the exception handler clears the headers of a response it
    // rewrites (401 for bad credentials, 400 for a bad body), and those responses need them too.
    private static void WriteRateLimitHeaders(HttpContext context, EdgeDecision decision) =>
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Reset"] = decision.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
}
