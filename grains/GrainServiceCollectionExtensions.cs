using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Surveillance.Identity;

namespace Surveillance;

public static class GrainServiceCollectionExtensions
{
    /// <summary>The services and validated options the grains depend on.</summary>
    public static IServiceCollection AddSurveillanceGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PasswordHashingOptions>()
            .Bind(configuration.GetSection(PasswordHashingOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PasswordHashingOptions>, PasswordHashingOptionsValidator>();
        services.AddOptions<LockoutOptions>()
            .Bind(configuration.GetSection(LockoutOptions.Section))
            .Validate(o => o.Threshold > 0 && o.LockoutSeconds > 0 && o.MaxLockoutSeconds >= o.LockoutSeconds && o.KnownIpDays > 0,
                "Auth:Lockout needs a positive Threshold, LockoutSeconds, KnownIpDays and MaxLockoutSeconds >= LockoutSeconds.")
            .ValidateOnStart();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }
}
