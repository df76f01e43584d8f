using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Surveillance.Edge;

/// <summary>The silo side of the edge: the login-pressure signal and the short life of idle client grains.</summary>
public static class ClientIpDefences
{
    public static IServiceCollection AddClientIpDefences(this IServiceCollection services)
    {
        services.AddSingleton<LoginPressure>();
        services.AddSingleton<StrikeStoreBudget>();
        services.AddHostedService<LoginPressureReporter>();
        services.AddSingleton<IConfigureOptions<GrainCollectionOptions>, IdleClientCollection>();
        return services;
    }

    /// <summary>
    /// An address rotation creates one client grain per address: they must go soon after the
    /// addresses fall silent (Orleans' default is 15 minutes or more), so memory follows active clients.
    /// </summary>
    private sealed class IdleClientCollection(IOptions<ThreatOptions> threats) : IConfigureOptions<GrainCollectionOptions>
    {
        public void Configure(GrainCollectionOptions options)
        {
            var age = TimeSpan.FromSeconds(threats.Value.IdleClientSeconds);
            options.ClassSpecificCollectionAge[typeof(ClientIpGrain).FullName!] = age;
            options.ClassSpecificCollectionAge[typeof(ClientHistoryGrain).FullName!] = age;
            // The collector looks at activations once per quantum: a short age needs a short quantum.
            if (options.CollectionQuantum > age / 2)
            {
                options.CollectionQuantum = age / 2;
            }
        }
    }
}
