using System.Globalization;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;
using Surveillance.Edge;

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
            await RejectThreatAsync(context, ip, finding);
            return;
        }

        await next(context);
    }

    /// <summary>Counts a threat found anywhere in the request (also by the upload handler) and answers 400.</summary>
    public static async Task RejectThreatAsync(HttpContext context, string ip, ThreatFinding finding)
    {
        context.Items[ThreatEventKey] = finding.EventName;
        var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
        if (await grains.GetGrain<IClientIpGrain>(ip).RecordThreatAsync(finding.EventName) is { } block)
        {
            context.RequestServices.GetRequiredService<AdmissionCache>().Blocked(ip, block);
        }

        await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.SuspiciousInput,
            $"The request was refused: suspicious input in {finding.Location}.");
    }

    /// <summary>Where the audit log finds the event name of a refused threat.</summary>
    public const string ThreatEventKey = "surveillance.threat_event";

    private static void WriteRateLimitHeaders(HttpContext context, EdgeDecision decision)
    {
        var headers = context.Response.Headers;
        headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = decision.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    }
}
