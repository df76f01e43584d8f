using Surveillance.Hosting;

namespace Surveillance.Silo.Schema;

/// <summary>
/// Which connection applies the schema. <c>ConnectionStrings:OrleansMigrations</c> (the owner
/// role) when configured, and then the runtime role of <c>ConnectionStrings:Orleans</c> is
/// granted row access only; without it the services' own connection, which is enough when
/// nothing is pending (the owner applied the scripts with <c>migrate</c>) or when one role owns
/// everything. Also the <c>migrate</c> command: apply, then exit (a Kubernetes init container).
/// </summary>
public static class SchemaSetup
{
    public const string OwnerConnectionName = "OrleansMigrations";
    public const string MigrateCommand = "migrate";

    public static Task<IReadOnlyList<string>> ApplyAsync(IConfiguration configuration, ILogger logger, CancellationToken cancellationToken)
    {
        var runtime = OrleansConnectionString.Require(configuration);
        return configuration.GetConnectionString(OwnerConnectionName) is { Length: > 0 } owner
            ? SchemaMigrator.ApplyAsync(owner, SchemaMigrator.RoleOf(runtime), logger, cancellationToken)
            : SchemaMigrator.ApplyAsync(runtime, logger, cancellationToken);
    }

    /// <summary><c>dotnet Surveillance.Silo.dll migrate</c>: applies what is pending, renews the grants, exits.</summary>
    public static async Task<int> RunMigrateAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SchemaSetup));
        var applied = await ApplyAsync(builder.Configuration, logger, CancellationToken.None);
        logger.LogInformation("Schema up to date ({Count} script(s) applied now)", applied.Count);
        return 0;
    }
}
