using Orleans.Dashboard;
using Surveillance.Hosting;
using Surveillance.Silo.Admin;
using Surveillance.Silo.Health;
using Surveillance.Silo.Schema;

namespace Surveillance.Silo;

/// <summary>
/// The silo process: applies the schema, checks its secrets against the database, then hosts
/// Orleans, the loopback-only dashboard and, when configured, the health port for probes.
/// Two commands for operators with a shell on a silo: <c>migrate</c> and <c>reset-admin-password</c>.
/// </summary>
public static class SiloProgram
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case SchemaSetup.MigrateCommand:
                return await SchemaSetup.RunMigrateAsync(args[1..]);
            case AdminPasswordReset.CommandName:
                return await AdminPasswordReset.RunAsync(args[1..], Console.In, Console.Out);
        }

        var app = Build(args);
        await SchemaSetup.ApplyAsync(app.Configuration, app.Logger, app.Lifetime.ApplicationStopping);
        try
        {
            await VerifySecretsAsync(app, app.Lifetime.ApplicationStopping);
        }
        catch (SecretMismatchException mismatch)
        {
            app.Logger.LogCritical("{Reason}", mismatch.Message);
            return 1;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>The silo host, configured and built but not started (tests start it themselves).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddDevelopmentSecrets(notForThisHost: DevelopmentSecrets.ApiOnly);
        var host = StartupOptions.Read(builder.Configuration, SiloHostOptions.Section, new SiloHostOptionsValidator());
        var healthPort = host.HealthPort();
        builder.WebHost.UseUrls(healthPort is null ? [host.DashboardUrl] : [host.DashboardUrl, host.HealthUrl!]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddSingleton<SiloReadiness>();
        builder.UseOrleans(silo => silo
            .UseSurveillanceClustering(builder.Configuration, host)
            .UseClusterTls(builder.Configuration)
            .AddActivityPropagation()
            .AddSurveillance(builder.Configuration));
        builder.Services.AddSiloTelemetry(builder.Configuration, host);

        var app = builder.Build();
        if (healthPort is { } port)
        {
            app.UseSiloHealthPort(port);
        }

        app.MapOrleansDashboard("/dashboard");
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "alive" }));
        return app;
    }

    /// <summary>Before Orleans starts: the secrets must be the ones the database was first used with (<see cref="SecretCheckValues"/>).</summary>
    public static Task VerifySecretsAsync(WebApplication app, CancellationToken cancellationToken) =>
        SecretCheckValues.VerifyAsync(
            app.Configuration,
            OrleansConnectionString.Require(app.Configuration),
            app.Configuration["Orleans:ServiceId"] ?? "surveillance",
            cancellationToken);
}
