using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Surveillance.Hosting;

/// <summary>
/// The one way a host reads settings: an options class bound to its section, checked by an
/// <see cref="IValidateOptions{TOptions}"/> at start-up (<c>ValidateOnStart</c>). A few values are
/// needed before the container exists (which Orleans providers to add, the pool sizes written
/// into the providers' connection strings, whether to add exporters at all); <see cref="Read{TOptions}"/>
/// binds those from the same section and checks them with the same validator, so that a bad value
/// is refused with the same <see cref="OptionsValidationException"/> and message, only sooner.
/// </summary>
public static class StartupOptions
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, validated by <paramref name="validator"/> when the host starts.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(
        this IServiceCollection services, IConfiguration configuration, string section, IValidateOptions<TOptions> validator)
        where TOptions : class
    {
        services.AddSingleton(validator);
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>The options of <paramref name="section"/> before the container exists; throws what <c>ValidateOnStart</c> would.</summary>
    public static TOptions Read<TOptions>(IConfiguration configuration, string section, IValidateOptions<TOptions> validator)
        where TOptions : class, new()
    {
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        var result = validator.Validate(Options.DefaultName, options);
        return result.Failed
            ? throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures)
            : options;
    }
}
