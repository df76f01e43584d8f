using System.Globalization;
using Surveillance.Api.Auth;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;
using Surveillance.Api.Telemetry;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>
/// The checks after the block (<see cref="BlockGuardMiddleware"/>) and before authentication
/// (API.md "Order"), so an anonymous probe is counted and refused like any other: the client's
/// rate limit, then intrusion detection. <c>/health*</c> is exempt. A login while this instance's
/// <see cref="LoginGate"/> is closed is refused before the rate limit: no password would be checked.
/// </summary>
public sealed class EdgeGuardMiddleware(
    RequestDelegate next,
    RateRules rules,
    AdmissionCache admissions,
    LoginGate loginGate,
    EdgeRefusals refusals,
    IGrainFactory grains,
    TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (RateRules.IsExempt(context))
        {
            await next(context);
            return;
        }

        var rule = rules.For(context);
        if (rule.Name != RateRules.Login)
        {
            await GuardAsync(context, rule);
            return;
        }

        if (loginGate.IsClosed(out var retryAfterSeconds, out var probe))
        {
            // The silo just said its hashing budget is used up: this instance checks no password for a
            // moment, so the refusal asks no grain and spends none of the client's login permits.
            await loginGate.RefuseAsync(context, retryAfterSeconds);
            return;
        }

        LoginGate.MarkProbe(context, probe);
        try
        {
            await GuardAsync(context, rule);
        }
        finally
        {
            // A probe that was served, or never reached the silo (a malformed body, a refusal), hands over to the next login.
            loginGate.EndProbe(probe);
        }
    }

    private async Task GuardAsync(HttpContext context, RateRule rule)
    {
        var key = ClientAddress.KeyOf(context);
        var decision = await admissions.AdmitAsync(key, rule);
        if (decision.Block is { } block)
        {
            refusals.Count(context, key, StatusCodes.Status403Forbidden, ErrorCodes.IpBlocked);
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.IpBlocked,
                ProblemMessages.IpBlocked(block.ExpiresAt), block.ExpiresAt - clock.GetUtcNow());
            return;
        }

        WriteRateLimitHeaders(context, decision);
        if (!decision.IsAllowed)
        {
            refusals.Count(context, key, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited);
            context.Metrics().RateLimitRefused(rule.Name);
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                ProblemMessages.RateLimited, decision.ResetAt - clock.GetUtcNow());
            return;
        }

        if (await RequestInspector.InspectAsync(context, context.RequestAborted) is { } finding)
        {
            await ThreatReporter.ReportAsync(context, finding);
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.SuspiciousInput,
                ProblemMessages.SuspiciousInput(finding.Location));
            return;
        }

        await next(context);
        if (rule.Name == RateRules.Login && context.Response.StatusCode == StatusCodes.Status200OK)
        {
            // Known clients keep the normal login limit during a login storm (one-way: no wait).
            await grains.GetGrain<IClientIpGrain>(key).RecordLoginSuccessAsync();
        }
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
