using Npgsql;

namespace Surveillance.Silo.Schema;

/// <summary>
/// Applies the versioned SQL files embedded from <c>db/</c>, each exactly once, recorded in
/// <c>surveillance_schema_migrations</c>. Orleans' scripts are not idempotent by themselves, so
/// this table is what makes a second start change nothing. An advisory lock keeps two silos
/// starting together from applying the same file twice.
/// <para>
/// Least privilege: the scripts are applied with the owner role's connection
/// (<c>ConnectionStrings:OrleansMigrations</c>), which then grants the runtime role (the user of
/// <c>ConnectionStrings:Orleans</c>) row access only, through
/// <c>surveillance_grant_runtime</c> (db/surveillance/003_runtime_role.sql), on every run. When
/// nothing is pending, no DDL runs at all, so a silo on the runtime role alone starts too.
/// </para>
/// </summary>
public static class SchemaMigrator
{
    private const long AdvisoryLockKey = 0x5375_7276_6569; // "Survei"

    public static IReadOnlyList<string> Scripts { get; } = typeof(SchemaMigrator).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith("db/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies what is missing with one role for everything; returns the names of the scripts it applied.</summary>
    public static Task<IReadOnlyList<string>> ApplyAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default) =>
        ApplyAsync(connectionString, runtimeRole: null, logger, cancellationToken);

    /// <summary>
    /// Applies what is missing as the role of <paramref name="connectionString"/> (the owner), then
    /// grants <paramref name="runtimeRole"/>, when given, what the services need and nothing more.
    /// Returns the names of the scripts it applied.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(
        string connectionString, string? runtimeRole, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            var newlyApplied = new List<string>();
            var pending = Scripts.Except(await ReadAppliedAsync(connection, cancellationToken)).ToList();
            try
            {
                if (pending.Count > 0)
                {
                    await ExecuteAsync(connection, """
                        CREATE TABLE IF NOT EXISTS surveillance_schema_migrations (
                            name text PRIMARY KEY,
                            applied_at timestamptz NOT NULL DEFAULT now())
                        """, cancellationToken);
                }

                foreach (var script in pending)
                {
                    await ApplyOneAsync(connection, script, cancellationToken);
                    logger.LogInformation("Applied schema script {Script}", script);
                    newlyApplied.Add(script);
                }

                if (runtimeRole is not null)
                {
                    await GrantRuntimeAsync(connection, runtimeRole, cancellationToken);
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new InvalidOperationException(
                    $"Schema scripts are pending ({string.Join(", ", pending)}) or grants must be renewed, and the role " +
                    $"'{connection.UserName}' may not do it: apply them as the database's owner role, with " +
                    "ConnectionStrings:OrleansMigrations or `dotnet Surveillance.Silo.dll migrate` (README \"Trust boundaries\").", e);
            }

            return newlyApplied;
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>The role a connection string logs in as: the runtime role, when it is the services' connection.</summary>
    public static string? RoleOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Username;

    private static async Task GrantRuntimeAsync(NpgsqlConnection connection, string runtimeRole, CancellationToken cancellationToken)
    {
        if (string.Equals(runtimeRole, connection.UserName, StringComparison.Ordinal))
        {
            return; // one role for everything (a setup without an owner role): nothing to narrow
        }

        await using var command = new NpgsqlCommand("SELECT surveillance_grant_runtime($1)", connection)
        {
            Parameters = { new NpgsqlParameter { Value = runtimeRole } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ApplyOneAsync(NpgsqlConnection connection, string script, CancellationToken cancellationToken)
    {
        string sql;
        await using (var stream = typeof(SchemaMigrator).Assembly.GetManifestResourceStream(script)!)
        using (var reader = new StreamReader(stream))
        {
            sql = await reader.ReadToEndAsync(cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, sql, cancellationToken);
        await using (var record = new NpgsqlCommand("INSERT INTO surveillance_schema_migrations(name) VALUES (@name)", connection))
        {
            record.Parameters.AddWithValue("name", script);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<HashSet<string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        // A fresh database has no table yet: everything is pending, and nothing needs CREATE to say so.
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('surveillance_schema_migrations') IS NOT NULL", connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return names;
            }
        }

        await using var command = new NpgsqlCommand("SELECT name FROM surveillance_schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
