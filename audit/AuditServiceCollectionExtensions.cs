using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Surveillance.Telemetry;

namespace Surveillance.Audit;

/// <summary>The audit log's one registration, used by the API and the silo alike.</summary>
public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Validated <c>Audit</c> options, the chain and its store, both writers, the reader, verifier and
    /// anonymiser and <see cref="SystemAuditLog"/>. The host registers the <c>NpgsqlDataSource</c> the log is written to.
    /// </summary>
    public static IServiceCollection AddSurveillanceAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSurveillanceMetrics();
        services.TryAddSingleton<AuditChain>();
        services.TryAddSingleton<AuditStore>();
        services.TryAddSingleton<AuditBacklog>();
        services.TryAddSingleton<AuditReader>();
        services.TryAddSingleton<AuditVerifier>();
        services.TryAddSingleton<AuditAnonymizer>();
        services.TryAddSingleton<SecurityAuditBatcher>();
        services.TryAddSingleton<IAuditLog, AuditLog>();
        services.TryAddSingleton<SystemAuditLog>();
        services.AddHostedService<AuditBackgroundWriter>();
        return services;
    }
}
