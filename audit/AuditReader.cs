using System.Runtime.CompilerServices;
using Npgsql;

namespace Surveillance.Audit;

/// <summary>Reads <c>audit_log</c>: filtered pages for the admin API, and the whole chain as a stream.</summary>
public sealed class AuditReader(NpgsqlDataSource dataSource)
{
    /// <summary>Entries matching the filter, newest first, at most <see cref="AuditFilter.Limit"/>.</summary>
    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        var (where, parameters) = filter.ToSql();
        await using var command = dataSource.CreateCommand(
            $"SELECT {AuditRecord.Columns} FROM audit_log {where} ORDER BY id DESC LIMIT {filter.Limit}");
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var records = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(AuditRecord.Read(reader));
        }

        return records;
    }

    /// <summary>
    /// Every entry, oldest first, read row by row as the server sends them (one statement, so one
    /// consistent snapshot of the chain; memory stays flat however long the log is).
    /// </summary>
    public async IAsyncEnumerable<AuditRecord> StreamAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {AuditRecord.Columns} FROM audit_log ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return AuditRecord.Read(reader);
        }
    }
}
