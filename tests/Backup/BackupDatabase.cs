using Npgsql;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Backup;

/// <summary>
/// A database of its own on the test server, owned by the owner role (as an operator creates one
/// for the service: <c>CREATE DATABASE … OWNER surveillance_owner</c>), reached as each of the
/// three roles. Dropped when disposed.
/// </summary>
public sealed class BackupDatabase(string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    public string OwnerConnectionString => On(TestDatabase.OwnerConnectionString, pooling: false);

    /// <summary>What the services use (pooled, as in production).</summary>
    public string RuntimeConnectionString => On(TestDatabase.ConnectionString, pooling: true);

    public string BackupConnectionString => On(BackupScripts.BackupRoleConnectionString, pooling: false);

    public static async Task<BackupDatabase> CreateAsync(string prefix)
    {
        var database = new BackupDatabase(prefix + "_" + Guid.NewGuid().ToString("N")[..12]);
        await database.CreateEmptyAsync();
        return database;
    }

    public Task CreateEmptyAsync() => OnServerAsync($"CREATE DATABASE \"{Name}\"");

    /// <summary>The disaster: the database is gone, connections and all.</summary>
    public async Task DropAsync()
    {
        await OnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        // The Orleans providers' pooled connections to it are dead now; new ones must be opened.
        NpgsqlConnection.ClearAllPools();
    }

    public ValueTask DisposeAsync() => new(DropAsync());

    /// <summary>Tables, sequences, indexes and functions outside PostgreSQL's own schemas.</summary>
    public Task<long> CountUserObjectsAsync() => ScalarAsync<long>("""
        SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%')
             + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))
        """);

    public async Task<T> ScalarAsync<T>(string sql, string? connectionString = null)
    {
        await using var connection = new NpgsqlConnection(connectionString ?? OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, string? connectionString = null)
    {
        await using var connection = new NpgsqlConnection(connectionString ?? OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private string On(string connectionString, bool pooling) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = Name, Pooling = pooling }.ConnectionString;

    private static async Task OnServerAsync(string sql)
    {
        var server = new NpgsqlConnectionStringBuilder(TestDatabase.OwnerConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
