using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Surveillance.Audit;

namespace Surveillance.Api.Audit;

/// <summary>The audit log's wiring. The API registers the <c>NpgsqlDataSource</c> it writes to.</summary>
public static class AuditHostingExtensions
{
    public static IServiceCollection AddSurveillanceAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AuditChain>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<AuditBacklog>();
        services.AddSingleton<AuditReader>();
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<AuditAnonymizer>();
        services.AddSingleton<SecurityAuditBatcher>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddHostedService<AuditBackgroundWriter>();
        return services;
    }

    /// <summary>Place right after the request-id middleware: outside the exception handler, so it sees final statuses.</summary>
    public static IApplicationBuilder UseSurveillanceAudit(this IApplicationBuilder app) =>
        app.UseMiddleware<AuditMiddleware>();
}
