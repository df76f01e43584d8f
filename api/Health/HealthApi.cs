using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;

namespace Surveillance.Api.Health;

/// <summary><c>/health</c>, <c>/health/live</c> and <c>/health/ready</c>: no authentication, not rate limited.</summary>
public static class HealthApi
{
    public const string Cluster = "cluster";
    public const string Database = "database";
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public static IServiceCollection AddSurveillanceHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ClusterHealthCheck>(Cluster)
            .AddCheck<DatabaseHealthCheck>(Database);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var dependencies = new HealthCheckOptions
        {
            ResponseWriter = WriteAsync,
            ResultStatusCodes = { [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable },
        };
        app.MapHealthChecks("/health", dependencies).WithTags("Health");
        app.MapHealthChecks("/health/ready", dependencies).WithTags("Health");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .WithTags("Health");
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var healthy = report.Status == HealthStatus.Healthy;
        if (!healthy)
        {
            context.Response.Headers.RetryAfter = ProblemExceptionHandler.RetryAfterSeconds.ToString();
        }

        var services = report.Entries.ToDictionary(
            e => e.Key,
            e => e.Key switch
            {
                Cluster => e.Value.Status == HealthStatus.Healthy ? "connected" : "disconnected",
                _ => e.Value.Status == HealthStatus.Healthy ? "operational" : "unavailable",
            });
        return context.Response.WriteAsJsonAsync(new
        {
            status = healthy ? "healthy" : "unhealthy",
            timestamp = UtcTimestamp.Format(DateTimeOffset.UtcNow),
            services,
        });
    }
}
