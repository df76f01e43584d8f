using Orleans.Dashboard;
using Surveillance.Hosting;
using Surveillance.Silo.Schema;

namespace Surveillance.Silo;

/// <summary>The silo process: applies the schema, then hosts Orleans and the loopback-only dashboard.</summary>
public static class SiloProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddDevelopmentSecrets();
        var host = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        builder.WebHost.UseUrls(host.DashboardUrl);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.UseOrleans(silo => silo
            .UseSurveillanceClustering(builder.Configuration, host)
            .UseClusterTls(builder.Configuration)
            .AddSurveillance(builder.Configuration));

        var app = builder.Build();
        app.MapOrleansDashboard("/dashboard");
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "alive" }));

        await SchemaMigrator.ApplyAsync(
            SurveillanceSiloBuilderExtensions.RequireConnectionString(builder.Configuration),
            app.Logger,
            app.Lifetime.ApplicationStopping);
        await app.RunAsync();
    }
}
