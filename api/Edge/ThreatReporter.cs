using Surveillance.Api.Audit;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;
using Surveillance.Api.Telemetry;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>Counts an intrusion-detection match against the client IP; five within the window block it.</summary>
public static class ThreatReporter
{
    public static async Task ReportAsync(HttpContext context, ThreatFinding finding)
    {
        var ip = ClientAddress.KeyOf(context);
        context.Audit(finding.EventName); // the request's audit entry is named for the threat (malicious_*)
        context.Metrics().EdgeRefused(ErrorCodes.SuspiciousInput);
        var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
        if (await grains.GetGrain<IClientIpGrain>(ip).RecordThreatAsync(finding.EventName) is { } block)
        {
            context.RequestServices.GetRequiredService<AdmissionCache>().Blocked(ip, block);
        }
    }

    /// <summary>Reports the finding and refuses the request with 400 SUSPICIOUS_INPUT.</summary>
    public static async Task<HttpProblemException> RefuseAsync(HttpContext context, ThreatFinding finding)
    {
        await ReportAsync(context, finding);
        return new HttpProblemException(StatusCodes.Status400BadRequest,
            ProblemMessages.SuspiciousInput(finding.Location), ErrorCodes.SuspiciousInput);
    }
}
