using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Surveillance.Silo.Schema;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Database;

/// <summary>
/// Least privilege in PostgreSQL: a stolen runtime credential (what every silo and API pod
/// holds) must not be enough to rewrite history or the schema. Every statement runs as the
/// runtime role that the whole suite's services use, inside a transaction that is rolled back.
/// </summary>
public sealed class RuntimeRoleTests
{
    public static TheoryData<string> TamperingStatements => new()
    {
        // The audit log's append-only trigger: only the owner may switch it off.
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "TRUNCATE audit_log",
        "UPDATE audit_log SET username = 'someone-else'",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END; $$",
        // The schema.
        "ALTER TABLE video_frames ADD COLUMN smuggled text",
        "ALTER TABLE audit_log RENAME TO audit_log_old",
        "DROP TABLE video_frames",
        "DROP TABLE orleansstorage",
        "CREATE TABLE smuggled (x int)",
        "TRUNCATE orleansstorage",
        // The SQL the Orleans providers run, and the record of applied scripts.
        "UPDATE orleansquery SET querytext = 'SELECT 1'",
        "INSERT INTO surveillance_schema_migrations(name) VALUES ('db/surveillance/999_smuggled.sql')",
        "DELETE FROM surveillance_schema_migrations",
        // The grants themselves.
        "SELECT surveillance_grant_runtime(current_user)",
    };

    [Theory]
    [MemberData(nameof(TamperingStatements))]
    public async Task StolenRuntimeCredential_CannotAlterDropOrRewriteProtectedTables(string sql)
    {
        await TestDatabase.EnsureSchemaAsync();
        await using var connection = await OpenRuntimeAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task StolenRuntimeCredential_CannotDeleteAnAuditRow_EvenOneItJustWrote()
    {
        await TestDatabase.EnsureSchemaAsync();
        await using var connection = await OpenRuntimeAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = await ScalarAsync<long>(connection, """
            INSERT INTO audit_log (timestamp, request_id, username, client_ip, method, path, status_code,
                                   user_agent, is_sensitive, event, prev_hash, hash)
            VALUES (now(), 'runtime-role-test', 'system', '127.0.0.1', 'GET', '/', 200, 'tests', false, 'test',
                    decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'))
            RETURNING id
            """);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, $"DELETE FROM audit_log WHERE id = {id}"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Contains("permission denied", refused.MessageText, StringComparison.Ordinal);
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task TheSuitesServices_RunAsTheRuntimeRole_NotAsTheOwner()
    {
        await TestDatabase.EnsureSchemaAsync();
        await using var connection = await OpenRuntimeAsync();

        var (user, owner, superuser, createsDatabases) = (
            await ScalarAsync<string>(connection, "SELECT current_user::text"),
            await ScalarAsync<string>(connection, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'audit_log'"),
            await ScalarAsync<bool>(connection, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"),
            await ScalarAsync<bool>(connection, "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user"));

        Assert.Equal(SchemaMigrator.RoleOf(TestSettingsConnectionString()), user);
        Assert.NotEqual(owner, user);
        Assert.False(superuser);
        Assert.False(createsDatabases);
        // What the services do need: read and append the audit log, read and write grain state.
        Assert.True(await ScalarAsync<bool>(connection,
            "SELECT has_table_privilege('audit_log', 'SELECT, INSERT') AND has_table_privilege('orleansstorage', 'SELECT, INSERT, UPDATE, DELETE')"));
    }

    [Fact]
    public async Task ASiloOnTheRuntimeRoleAlone_WithScriptsPending_RefusesToStart_NamingTheOwnerConnection()
    {
        await using var database = await ScratchDatabase.CreateAsync();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => SchemaMigrator.ApplyAsync(database.RuntimeConnectionString, NullLogger.Instance));

        Assert.Contains(SchemaSetup.OwnerConnectionName, failure.Message, StringComparison.Ordinal);
        Assert.Contains("migrate", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASiloOnTheRuntimeRoleAlone_StartsWhenTheOwnerAppliedEverything()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var runtimeRole = SchemaMigrator.RoleOf(database.RuntimeConnectionString);
        await SchemaMigrator.ApplyAsync(database.OwnerConnectionString, runtimeRole, NullLogger.Instance);

        var applied = await SchemaMigrator.ApplyAsync(database.RuntimeConnectionString, NullLogger.Instance);

        Assert.Empty(applied);
    }

    [Fact]
    public async Task AGrantMadeByHand_IsTakenBackOnTheNextMigration()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var runtimeRole = SchemaMigrator.RoleOf(database.RuntimeConnectionString)!;
        await SchemaMigrator.ApplyAsync(database.OwnerConnectionString, runtimeRole, NullLogger.Instance);
        await using (var owner = new NpgsqlConnection(database.OwnerConnectionString))
        {
            await owner.OpenAsync();
            await ExecuteAsync(owner, $"GRANT DELETE, TRUNCATE ON audit_log TO \"{runtimeRole}\"");
        }

        await SchemaMigrator.ApplyAsync(database.OwnerConnectionString, runtimeRole, NullLogger.Instance);

        await using var runtime = new NpgsqlConnection(database.RuntimeConnectionString);
        await runtime.OpenAsync();
        Assert.False(await ScalarAsync<bool>(runtime, "SELECT has_table_privilege('audit_log', 'DELETE') OR has_table_privilege('audit_log', 'TRUNCATE')"));
    }

    private static string TestSettingsConnectionString() => new TestSettings().SiloConfiguration()["ConnectionStrings:Orleans"]!;

    private static async Task<NpgsqlConnection> OpenRuntimeAsync()
    {
        var connection = new NpgsqlConnection(TestSettingsConnectionString());
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>An empty database owned by the owner role, dropped when the test ends.</summary>
    private sealed class ScratchDatabase : IAsyncDisposable
    {
        private readonly string _name;

        private ScratchDatabase(string name) => _name = name;

        public string OwnerConnectionString => On(TestDatabase.OwnerConnectionString, _name);
        public string RuntimeConnectionString => On(TestDatabase.ConnectionString, _name);

        public static async Task<ScratchDatabase> CreateAsync()
        {
            var name = "roles_test_" + Guid.NewGuid().ToString("N")[..16];
            await OnServerAsync($"CREATE DATABASE \"{name}\"");
            return new ScratchDatabase(name);
        }

        public async ValueTask DisposeAsync() => await OnServerAsync($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");

        private static string On(string connectionString, string database) =>
            new NpgsqlConnectionStringBuilder(connectionString) { Database = database, Pooling = false }.ConnectionString;

        private static async Task OnServerAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(On(TestDatabase.OwnerConnectionString, "postgres"));
            await connection.OpenAsync();
            await ExecuteAsync(connection, sql);
        }
    }
}
