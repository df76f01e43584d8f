using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Surveillance.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// The process's <see cref="SurveillanceMetrics"/>. Registered whether or not anything exports
    /// them: without a listener an instrument costs a branch.
    /// </summary>
    public static IServiceCollection AddSurveillanceMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton<SearchIndexSizes>();
        services.TryAddSingleton<SurveillanceMetrics>();
        return services;
    }
}
