using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Surveillance.Hosting;

/// <summary>
/// Section <c>Database</c>: how many PostgreSQL connections each process may hold, and how many
/// processes the deployment runs. Every silo and every API holds two Npgsql pools: the one the
/// Orleans ADO.NET providers share (membership, grain state, reminders: one pool per connection
/// string) and our own data source (audit, health). Without explicit bounds each pool grows to
/// Npgsql's default of 100, and two processes exhaust a server with the default
/// <c>max_connections</c> of 100, and the cluster then reports itself disconnected.
/// </summary>
public sealed class DatabasePoolOptions
{
    public const string Section = "Database";

    /// <summary><c>Maximum Pool Size</c> of the Orleans providers' pool in each process.</summary>
    public int OrleansPoolSize { get; set; } = 16;

    /// <summary><c>Maximum Pool Size</c> of our own data source (audit, health) in each process.</summary>
    public int AppPoolSize { get; set; } = 8;

    /// <summary>Silo processes the deployment runs (for the start-up check of the sum).</summary>
    public int Silos { get; set; } = 1;

    /// <summary>API processes the deployment runs (for the start-up check of the sum).</summary>
    public int Apis { get; set; } = 1;

    public int PerProcess => OrleansPoolSize + AppPoolSize;

    /// <summary>The most connections the whole deployment can open.</summary>
    public int DeploymentTotal => (Silos + Apis) * PerProcess;

    /// <summary>The pools before the container exists (they go into the Orleans providers' connection strings), validated.</summary>
    public static DatabasePoolOptions From(IConfiguration configuration) =>
        StartupOptions.Read(configuration, Section, DatabasePoolOptionsValidator.Instance);

    public string ForOrleans(string connectionString) => WithMaxPoolSize(connectionString, OrleansPoolSize);

    public string ForApp(string connectionString) => WithMaxPoolSize(connectionString, AppPoolSize);

    /// <summary>The warning to log when the deployment can open more connections than the server accepts; null when it fits.</summary>
    public string? OversubscriptionWarning(int serverConnections) => DeploymentTotal <= serverConnections
        ? null
        : $"Database pools can open {DeploymentTotal} connections ({Silos} silos + {Apis} APIs) x ({OrleansPoolSize} Orleans + {AppPoolSize} app) " +
          $"but PostgreSQL accepts {serverConnections} (max_connections minus superuser_reserved_connections): under load the cluster " +
          "will run out of connection slots. Lower Database:OrleansPoolSize/AppPoolSize or raise max_connections.";

    private static string WithMaxPoolSize(string connectionString, int size) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size }.ConnectionString;
}

public static class DatabasePoolExtensions
{
    /// <summary>Binds and validates <see cref="DatabasePoolOptions"/> and checks the sum against the server at start-up.</summary>
    public static IServiceCollection AddDatabasePools(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions(configuration, DatabasePoolOptions.Section, DatabasePoolOptionsValidator.Instance);
        services.AddHostedService<DatabasePoolCheck>();
        return services;
    }
}

/// <summary>Pool sizes a server can honour, and at least one process of each kind.</summary>
public sealed class DatabasePoolOptionsValidator : IValidateOptions<DatabasePoolOptions>
{
    public static readonly DatabasePoolOptionsValidator Instance = new();

    public ValidateOptionsResult Validate(string? name, DatabasePoolOptions options) =>
        options.OrleansPoolSize is >= 2 and <= 1000 && options.AppPoolSize is >= 1 and <= 1000 && options.Silos >= 1 && options.Apis >= 1
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                "Database:OrleansPoolSize must be 2-1000, Database:AppPoolSize 1-1000, Database:Silos and Database:Apis at least 1.");
}
