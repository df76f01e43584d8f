using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Surveillance.Telemetry;

namespace Surveillance.Audit;

/// <summary>
/// Appends entries to <c>audit_log</c>, extending the one hash chain. Every append runs in a
/// transaction that first takes a cluster-wide advisory lock, then reads the last hash, takes the
/// next ids with <c>nextval</c> and inserts; so appends from any number of API instances are
/// serialised and rows in id order always link.
/// </summary>
public sealed class AuditStore(NpgsqlDataSource dataSource, AuditChain chain, SurveillanceMetrics metrics)
{
    /// <summary>Advisory lock key of audit appends ("AuditL"); the schema migrator uses another.</summary>
    public const long AppendLockKey = 0x4175_6469_744C;

    private const string InsertSql =
        "INSERT INTO audit_log (id, timestamp, request_id, username, client_ip, method, path, status_code, " +
        "user_agent, is_sensitive, event, error, details, prev_hash, hash) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

    /// <summary>Appends the entries in order, in one transaction; returns their ids.</summary>
    public async Task<IReadOnlyList<long>> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AppendLockKey})", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        var previous = await LastHashAsync(connection, transaction, cancellationToken);
        var ids = await NextIdsAsync(connection, transaction, entries.Count, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i].Normalized();
            var hash = chain.Hash(previous, ids[i], entry);
            batch.BatchCommands.Add(Insert(ids[i], entry, previous, hash));
            previous = hash;
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        metrics.AuditAppended(ids.Length);
        return ids;
    }

    private static async Task<byte[]> LastHashAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", connection, transaction);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[] ?? AuditChain.Genesis.ToArray();
    }

    private static async Task<long[]> NextIdsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) FROM generate_series(1, $1)", connection, transaction)
        {
            Parameters = { new NpgsqlParameter { Value = count } },
        };
        var ids = new List<long>(count);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        ids.Sort();
        return [.. ids];
    }

    private static NpgsqlBatchCommand Insert(long id, AuditEntry entry, byte[] previous, byte[] hash) => new(InsertSql)
    {
        Parameters =
        {
            new NpgsqlParameter { Value = id },
            new NpgsqlParameter { Value = entry.Timestamp, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            new NpgsqlParameter { Value = entry.RequestId },
            new NpgsqlParameter { Value = entry.Username },
            new NpgsqlParameter { Value = entry.ClientIp },
            new NpgsqlParameter { Value = entry.Method },
            new NpgsqlParameter { Value = entry.Path },
            new NpgsqlParameter { Value = entry.StatusCode },
            new NpgsqlParameter { Value = entry.UserAgent },
            new NpgsqlParameter { Value = entry.IsSensitive },
            new NpgsqlParameter { Value = entry.Event },
            new NpgsqlParameter { Value = (object?)entry.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            new NpgsqlParameter
            {
                Value = entry.Details is null ? DBNull.Value : JsonSerializer.Serialize(entry.Details),
                NpgsqlDbType = NpgsqlDbType.Jsonb,
            },
            new NpgsqlParameter { Value = previous },
            new NpgsqlParameter { Value = hash },
        },
    };
}
