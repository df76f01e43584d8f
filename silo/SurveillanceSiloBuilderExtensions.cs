using Orleans.Serialization;
using Orleans.Dashboard;
using Microsoft.Extensions.Options;
using Npgsql;
using Surveillance.Audit;
using Surveillance.Hosting;
using Surveillance.Processing;
using Surveillance.Silo.Faults;
using Surveillance.Silo.Audit;
using Surveillance.Silo.Footage;
using Surveillance.Videos;

namespace Surveillance.Silo;

public static class SurveillanceSiloBuilderExtensions
{
    public const string AdoNetInvariant = "Npgsql";

    /// <summary>
    /// Everything a silo of this service needs but clustering: PostgreSQL grain storage and
    /// reminders, the grains' services, the dashboard and the bootstrap admin. Shared by the real
    /// silo and the test clusters.
    /// </summary>
    public static ISiloBuilder AddSurveillance(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connectionString = OrleansConnectionString.Require(configuration);
        var pools = DatabasePoolOptions.From(configuration);
        silo.AddAdoNetGrainStorage(StorageNames.Main, o =>
        {
            o.Invariant = AdoNetInvariant;
            o.ConnectionString = pools.ForOrleans(connectionString);
        });
        silo.Services.TranslateStorageFaults(StorageNames.Main);
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = AdoNetInvariant;
            o.ConnectionString = pools.ForOrleans(connectionString);
        });
        silo.Services.AddSurveillanceGrains(configuration);
        silo.Services.AddVideoFiles(configuration);
        silo.Services.AddSingleton<LoopbackVideoServer>();
        silo.Services.AddSingleton<IDecryptedVideoViews>(sp => sp.GetRequiredService<LoopbackVideoServer>());
        silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(pools.ForApp(connectionString)));
        silo.Services.AddDatabasePools(configuration);
        silo.AddIncomingGrainCallFilter<StorageFaultTranslation>();
        // Faults outside a call and outside grain storage (a grain reading its own tables while it activates)
        // still cross as exceptions the API recognises, instead of failing to serialize.
        silo.Services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
        silo.Services.AddSurveillanceAudit(configuration);
        silo.Services.AddSingleton<SiloAuditLog>();
        silo.Services.AddSingleton<IVideoDeletionAudit>(sp => sp.GetRequiredService<SiloAuditLog>());
        silo.Services.AddSingleton<IIntegrityFailureAudit>(sp => sp.GetRequiredService<SiloAuditLog>());
        // Reminders may fire more often than Orleans' one-minute default when retention checks or
        // probe retries are configured to (tests); production keeps the default.
        silo.Services.AddOptions<ReminderOptions>().Configure<IOptions<RetentionOptions>, IOptions<ProcessingOptions>>((o, retention, processing) =>
        {
            var shortest = TimeSpan.FromSeconds(Math.Min(retention.Value.CheckIntervalSeconds, processing.Value.ProbeRetrySeconds));
            o.MinimumReminderPeriod = shortest < o.MinimumReminderPeriod ? shortest : o.MinimumReminderPeriod;
        });
        silo.AddDashboard();
        silo.AddStartupTask(async (services, _) => await BootstrapAdmin.EnsureAsync(
            services.GetRequiredService<IGrainFactory>(),
            configuration,
            services.GetRequiredService<IHostEnvironment>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BootstrapAdmin))));
        return silo;
    }

    /// <summary>Membership in PostgreSQL, so silos and API clients find each other through the database.</summary>
    public static ISiloBuilder UseSurveillanceClustering(this ISiloBuilder silo, IConfiguration configuration, SiloHostOptions host)
    {
        var connectionString = OrleansConnectionString.Require(configuration);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = AdoNetInvariant;
            o.ConnectionString = DatabasePoolOptions.From(configuration).ForOrleans(connectionString);
        });
        if (!host.TryGetAdvertisedAddress(out var advertised))
        {
            throw new InvalidOperationException($"Silo:AdvertisedIp '{host.AdvertisedIp}' is not an IP address.");
        }

        var ports = OrleansPortOptions.From(configuration);
        silo.ConfigureEndpoints(advertised, ports.SiloPort, ports.GatewayPort, listenOnAnyHostAddress: host.ListenOnAnyHostAddress);
        return silo;
    }
}
