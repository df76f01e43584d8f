using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Surveillance.Edge;
using Surveillance.Identity;
using Surveillance.Processing;
using Surveillance.Telemetry;
using Surveillance.Videos;

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
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LockoutOptions>, LockoutOptionsValidator>();
        services.AddSingleton<HashingBudget>();
        services.AddSingleton<PasswordHasher>();
        services.AddOptions<ThreatOptions>()
            .Bind(configuration.GetSection(ThreatOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ThreatOptions>, ThreatOptionsValidator>();
        services.AddSingleton<ThreatAllowlist>();
        services.AddClientIpDefences();
        services.AddOptions<MasterKeyOptions>().Bind(configuration.GetSection(MasterKeyOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MasterKeyOptions>, MasterKeyOptionsValidator>();
        services.AddSingleton<MasterKeyRing>();
        services.AddSingleton<MfaSecretCipher>();
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        services.AddProcessing(configuration);
        services.AddSurveillanceMetrics();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Probing, results and search; needs an <c>NpgsqlDataSource</c> and an <see cref="IIntegrityFailureAudit"/>.</summary>
    private static void AddProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProcessingOptions>().Bind(configuration.GetSection(ProcessingOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProcessingOptions>, ProcessingOptionsValidator>();
        services.AddOptions<ResultsOptions>().Bind(configuration.GetSection(ResultsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ResultsOptions>, ResultsOptionsValidator>();
        services.AddSingleton<FrameSeal>();
        services.AddSingleton<FrameStore>();
        services.AddSingleton<FrameIndexSnapshots>();
        services.AddSingleton<FfprobeRunner>();
        services.AddSingleton<FfmpegFrameGrabber>();
        services.AddSingleton<FrameImages>();
        services.AddSingleton<DetectionTally>();
        services.AddSingleton<VideoKeyCustody>().AddSingleton<ProbeSchedule>().AddSingleton<VideoFrames>();
        services.AddSingleton<ITextEmbedder, MiniLmTextEmbedder>();
        services.AddHostedService<EmbedderWarmUp>();
        services.AddSingleton<VideoProber>();
        services.AddSingleton<IVideoProber>(sp => sp.GetRequiredService<VideoProber>());
        services.AddHostedService(sp => sp.GetRequiredService<VideoProber>());
    }
}
