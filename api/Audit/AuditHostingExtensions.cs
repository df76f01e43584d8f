namespace Surveillance.Api.Audit;

/// <summary>The API's part of the audit log: recording its requests (the services: <c>AddSurveillanceAudit</c>, audit/).</summary>
public static class AuditHostingExtensions
{
    /// <summary>Place right after the request-id middleware: outside the exception handler, so it sees final statuses.</summary>
    public static IApplicationBuilder UseSurveillanceAudit(this IApplicationBuilder app) =>
        app.UseMiddleware<AuditMiddleware>();
}
