using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Surveillance.Hosting.ClusterTls;

public static class ClusterTlsServiceCollectionExtensions
{
    /// <summary>
    /// The cluster TLS settings of a node of <paramref name="role"/> (<see cref="ClusterRole"/>),
    /// validated at start-up, and the certificates and link settings made from them.
    /// </summary>
    public static IServiceCollection AddClusterTls(this IServiceCollection services, IConfiguration configuration, string role)
    {
        services.AddOptions<ClusterTlsOptions>().Bind(configuration.GetSection(ClusterTlsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterTlsOptions>>(sp => new ClusterTlsOptionsValidator(role, sp.GetRequiredService<IHostEnvironment>()));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ClusterCertificates>();
        services.AddSingleton<ClusterTlsLinks>();
        return services;
    }
}
