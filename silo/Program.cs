using Orleans.Dashboard;
using Surveillance.Hosting;
using Surveillance.Silo.Admin;
using Surveillance.Silo.Schema;

namespace Surveillance.Silo;

/// <summary>
/// The silo process: applies the schema, then hosts Orleans and the loopback-only dashboard.
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

        var builder = WebApplication.CreateBuilder(args);
        builder.AddDevelopmentSecrets(notForThisHost: DevelopmentSecrets.ApiOnly);
        var host = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        builder.WebHost.UseUrls(host.DashboardUrl);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.UseOrleans(silo => silo
            .UseSurveillanceClustering(builder.Configuration, host)
            .UseClusterTls(builder.Configuration)
            .AddActivityPropagation()
            .AddSurveillance(builder.Configuration));
        builder.Services.AddSiloTelemetry(builder.Configuration, host);

        var app = builder.Build();
        app.MapOrleansDashboard("/dashboard");
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "alive" }));

        await SchemaSetup.ApplyAsync(builder.Configuration, app.Logger, app.Lifetime.ApplicationStopping);
        await app.RunAsync();
        return 0;
    }
}
