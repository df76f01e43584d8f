using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Surveillance.Silo.Schema;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Hosting;

/// <summary>
/// The schema a silo applies at start-up, on a database of each test's own: every script once,
/// Orleans' first, and a second (or concurrent) start changes nothing.
/// </summary>
public sealed class SchemaMigrationTests
{
    private static readonly string[] OrleansTables =
        ["orleansquery", "orleansmembershipversiontable", "orleansmembershiptable", "orleansstorage", "orleansreminderstable"];

    [Fact]
    public async Task FirstStart_AppliesEveryScript_OrleansScriptsFirst()
    {
        await using var database = await FreshDatabase.CreateAsync();

        var applied = await SchemaMigrator.ApplyAsync(database.ConnectionString, NullLogger.Instance);

        Assert.Equal(SchemaMigrator.Scripts, applied);
        Assert.Contains(applied, s => s.StartsWith("db/orleans/", StringComparison.Ordinal));
        var firstOurs = applied.ToList().FindIndex(s => !s.StartsWith("db/orleans/", StringComparison.Ordinal));
        var lastOrleans = applied.ToList().FindLastIndex(s => s.StartsWith("db/orleans/", StringComparison.Ordinal));
        Assert.True(firstOurs == -1 || lastOrleans < firstOurs, $"an own script ran before Orleans': {string.Join(", ", applied)}");
        Assert.Equal(SchemaMigrator.Scripts.Order(StringComparer.Ordinal), await database.RecordedScriptsAsync());
    }

    [Fact]
    public async Task FirstStart_CreatesTheOrleansTables_AndTheirQueries()
    {
        await using var database = await FreshDatabase.CreateAsync();

        await SchemaMigrator.ApplyAsync(database.ConnectionString, NullLogger.Instance);

        var tables = await database.TablesAsync();
        foreach (var table in OrleansTables)
        {
            Assert.Contains(table, tables);
        }

        // Clustering, persistence and reminders each find their SQL in OrleansQuery.
        var queries = await database.QueryKeysAsync();
        Assert.Contains("InsertMembershipKey", queries);
        Assert.Contains("WriteToStorageKey", queries);
        Assert.Contains("UpsertReminderRowKey", queries);
    }

    [Fact]
    public async Task SecondStart_ChangesNothing()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await SchemaMigrator.ApplyAsync(database.ConnectionString, NullLogger.Instance);
        var tablesBefore = await database.TablesAsync();
        var queriesBefore = await database.QueryKeysAsync();
        var recordedBefore = await database.RecordedScriptsAsync();

        var applied = await SchemaMigrator.ApplyAsync(database.ConnectionString, NullLogger.Instance);

        Assert.Empty(applied);
        Assert.Equal(tablesBefore, await database.TablesAsync());
        Assert.Equal(queriesBefore, await database.QueryKeysAsync());
        Assert.Equal(recordedBefore, await database.RecordedScriptsAsync());
    }

    [Fact]
    public async Task ConcurrentStarts_OnAFreshDatabase_BothSucceed_AndApplyEachScriptOnce()
    {
        await using var database = await FreshDatabase.CreateAsync();

        var results = await Task.WhenAll(
            Task.Run(() => SchemaMigrator.ApplyAsync(database.ConnectionString, NullLogger.Instance)),
            Task.Run(() => SchemaMigrator.ApplyAsync(database.ConnectionString, NullLogger.Instance)));

        Assert.Equal(SchemaMigrator.Scripts.Order(StringComparer.Ordinal), results.SelectMany(r => r).Order(StringComparer.Ordinal));
        Assert.Equal(SchemaMigrator.Scripts.Order(StringComparer.Ordinal), await database.RecordedScriptsAsync());
        Assert.Equal(OrleansTables.Length, (await database.TablesAsync()).Intersect(OrleansTables).Count());
    }

    /// <summary>An empty database on the test server, dropped when the test ends.</summary>
    private sealed class FreshDatabase : IAsyncDisposable
    {
        private readonly string _name;
        private readonly string _adminConnectionString;

        private FreshDatabase(string name, string adminConnectionString, string connectionString)
        {
            _name = name;
            _adminConnectionString = adminConnectionString;
            ConnectionString = connectionString;
        }

        public string ConnectionString { get; }

        public static async Task<FreshDatabase> CreateAsync()
        {
            var name = "schema_test_" + Guid.NewGuid().ToString("N")[..16];
            var admin = new NpgsqlConnectionStringBuilder(TestDatabase.OwnerConnectionString) { Database = "postgres", Pooling = false };
            var target = new NpgsqlConnectionStringBuilder(TestDatabase.OwnerConnectionString) { Database = name, Pooling = false };
            await ExecuteAsync(admin.ConnectionString, $"CREATE DATABASE \"{name}\"");
            return new FreshDatabase(name, admin.ConnectionString, target.ConnectionString);
        }

        public async Task<List<string>> TablesAsync() => await ReadStringsAsync(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");

        public async Task<List<string>> QueryKeysAsync() => await ReadStringsAsync(
            "SELECT querykey FROM orleansquery ORDER BY querykey");

        public async Task<List<string>> RecordedScriptsAsync() => await ReadStringsAsync(
            "SELECT name FROM surveillance_schema_migrations ORDER BY name COLLATE \"C\"");

        public async ValueTask DisposeAsync() =>
            await ExecuteAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");

        private async Task<List<string>> ReadStringsAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            var values = new List<string>();
            while (await reader.ReadAsync())
            {
                values.Add(reader.GetString(0));
            }

            return values;
        }

        private static async Task ExecuteAsync(string connectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
