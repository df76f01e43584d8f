using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Surveillance.Api.Edge;
using Surveillance.Api.Errors;

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

    public static RouteGroupBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/health").WithTags("Health").AllowAnonymous().WithoutRateLimit();
        api.MapGet("/", CheckDependenciesAsync);
        api.MapGet("/ready", CheckDependenciesAsync);
        api.MapGet("/live", () => TypedResults.Ok(new HealthResponse("healthy", DateTimeOffset.UtcNow, null)));
        return api;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> CheckDependenciesAsync(
        HealthCheckService health, HttpContext context, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var services = report.Entries.ToDictionary(
            e => e.Key,
            e => e.Key switch
            {
                Cluster => e.Value.Status == HealthStatus.Healthy ? "connected" : "disconnected",
                _ => e.Value.Status == HealthStatus.Healthy ? "operational" : "unavailable",
            });
        if (report.Status == HealthStatus.Healthy)
        {
            return TypedResults.Ok(new HealthResponse("healthy", DateTimeOffset.UtcNow, services));
        }

        Problems.SetRetryAfter(context.Response, Problems.UnavailableRetryAfter);
        return TypedResults.Json(new HealthResponse("unhealthy", DateTimeOffset.UtcNow, services),
            statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthResponse(string Status, DateTimeOffset Timestamp, IReadOnlyDictionary<string, string>? Services);
