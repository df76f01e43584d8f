using Surveillance.Telemetry;

namespace Surveillance.Api.Telemetry;

public static class HttpContextMetrics
{
    /// <summary>This instance's <see cref="SurveillanceMetrics"/>, for a call site that has only the request.</summary>
    public static SurveillanceMetrics Metrics(this HttpContext context) =>
        context.RequestServices.GetRequiredService<SurveillanceMetrics>();
}
