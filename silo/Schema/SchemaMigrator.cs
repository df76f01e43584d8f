using Npgsql;

namespace Surveillance.Silo.Schema;

/// <summary>
/// Applies the versioned SQL files embedded from <c>db/</c>, each exactly once, recorded in
/// <c>surveillance_schema_migrations</c>. Orleans' scripts are not idempotent by themselves, so
/// this table is what makes a second start change nothing. An advisory lock keeps two silos
/// starting together from applying the same file twice.
/// </summary>
public static class SchemaMigrator
{
    private const long AdvisoryLockKey = 0x5375_7276_6569; // "Survei"

    public static IReadOnlyList<string> Scripts { get; } = typeof(SchemaMigrator).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith("db/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies what is missing; returns the names of the scripts it applied.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS surveillance_schema_migrations (
                    name text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var newlyApplied = new List<string>();
            foreach (var script in Scripts.Where(s => !applied.Contains(s)))
            {
                await ApplyOneAsync(connection, script, cancellationToken);
                logger.LogInformation("Applied schema script {Script}", script);
                newlyApplied.Add(script);
            }

            return newlyApplied;
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
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
        await using var command = new NpgsqlCommand("SELECT name FROM surveillance_schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var names = new HashSet<string>(StringComparer.Ordinal);
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
