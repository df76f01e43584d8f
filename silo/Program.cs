using Orleans.Dashboard;
using Surveillance.Hosting;
using Surveillance.Silo;
using Surveillance.Silo.Schema;

var builder = WebApplication.CreateBuilder(args);
builder.AddDevelopmentSecrets();
var host = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
builder.WebHost.UseUrls(host.DashboardUrl);
builder.UseOrleans(silo => silo
    .UseSurveillanceClustering(builder.Configuration, host)
    .AddSurveillance(builder.Configuration));

var app = builder.Build();
app.MapOrleansDashboard("/dashboard");
app.MapGet("/health/live", () => TypedResults.Ok(new { status = "alive" }));

await SchemaMigrator.ApplyAsync(
    SurveillanceSiloBuilderExtensions.RequireConnectionString(builder.Configuration),
    app.Logger,
    app.Lifetime.ApplicationStopping);
await app.RunAsync();
