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
            .Validate(o => o.Threshold > 0 && o.LockoutSeconds > 0 && o.MaxLockoutSeconds >= o.LockoutSeconds && o.KnownIpDays > 0,
                "Auth:Lockout needs a positive Threshold, LockoutSeconds, KnownIpDays and MaxLockoutSeconds >= LockoutSeconds.")
            .ValidateOnStart();
        services.AddSingleton<HashingBudget>();
        services.AddSingleton<PasswordHasher>();
        services.AddOptions<ThreatOptions>()
            .Bind(configuration.GetSection(ThreatOptions.Section))
            .Validate(o => o.MaxThreats > 0 && o.MaxFailedLogins > 0 && o.WindowSeconds > 0 && o.BlockSeconds > 0 && o.MaxBlockSeconds >= o.BlockSeconds,
                "Threats: MaxThreats, MaxFailedLogins, WindowSeconds and BlockSeconds must be positive, MaxBlockSeconds >= BlockSeconds.")
            .Validate(o => o.LoginStormFailuresPerMinute > 0 && o.StormLoginLimit > 0 && o.KnownClientSeconds > 0 && o.IdleClientSeconds > 0 && o.StoredStrikesPerSecond > 0,
                "Threats: LoginStormFailuresPerMinute, StormLoginLimit, KnownClientSeconds, IdleClientSeconds and StoredStrikesPerSecond must be positive.")
            .Validate(o => Try(() => IpRanges.Parse(o.Allowlist, "Threats:Allowlist")), "Threats:Allowlist holds an entry that is neither an IP nor a CIDR range.")
            .ValidateOnStart();
        services.AddSingleton<ThreatAllowlist>();
        services.AddClientIpDefences();
        services.AddOptions<MasterKeyOptions>().Bind(configuration.GetSection(MasterKeyOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MasterKeyOptions>, MasterKeyOptionsValidator>();
        services.AddSingleton<MasterKeyRing>();
        services.AddSingleton<MfaSecretCipher>();
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.Section))
            .Validate(o => o.DaySeconds > 0 && o.CheckIntervalSeconds > 0, "Retention:DaySeconds and Retention:CheckIntervalSeconds must be positive.")
            .ValidateOnStart();
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

    private static bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
