using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;

namespace Surveillance.Processing;

/// <summary>
/// Snapshots of projects' search indexes in <c>frame_index_snapshots</c> (db/surveillance/006): a
/// header (format, service, project, embedding model, dimensions), the index's body
/// (<see cref="FrameIndex.WriteSnapshot"/>), and an HMAC-SHA256 over both under a key derived
/// (HKDF) from <c>Results:HmacKey</c>. The seals made the rows trustworthy; the MAC makes the
/// snapshot built from verified rows as trustworthy: whoever can write the database but lacks the
/// key can neither forge one nor move one to another project or cluster.
/// </summary>
public sealed class FrameIndexSnapshots(NpgsqlDataSource dataSource, IOptions<ClusterOptions> cluster, IOptions<ResultsOptions> results)
{
    private const string Format = "surveillance frame-index snapshot v1";
    private const int PartBytes = 8 << 20;
    private const int MacBytes = 32;
    private readonly string _serviceId = cluster.Value.ServiceId;
    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, results.Value.KeyBytes, 32, info: Encoding.UTF8.GetBytes(Format));

    /// <summary>The snapshot of <paramref name="videos"/> of the index (captured now, synchronously), authenticated.</summary>
    public byte[] Encode(string projectId, string model, FrameIndex index, int dimensions, IReadOnlyDictionary<string, VideoFingerprint> videos)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            WriteHeader(writer, projectId, model, dimensions);
            index.WriteSnapshot(writer, videos);
        }

        var mac = HMACSHA256.HashData(_key, stream.GetBuffer().AsSpan(0, (int)stream.Length));
        stream.Write(mac);
        return stream.ToArray();
    }

    /// <summary>
    /// Opens a snapshot into <paramref name="index"/> (empty), taking the videos <paramref name="take"/>
    /// accepts. <see cref="SnapshotOpening.Forged"/> when the MAC does not hold; <see cref="SnapshotOpening.Other"/>
    /// when it holds for another format, model or size (nothing taken either way).
    /// </summary>
    public (SnapshotOpening Opening, Dictionary<string, VideoFingerprint> Taken) Decode(
        byte[] snapshot, string projectId, string model, FrameIndex index, int dimensions, Func<string, VideoFingerprint, bool> take)
    {
        if (snapshot.Length < MacBytes
            || !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, snapshot.AsSpan(0, snapshot.Length - MacBytes)), snapshot.AsSpan(snapshot.Length - MacBytes)))
        {
            return (SnapshotOpening.Forged, []);
        }

        using var stream = new MemoryStream(snapshot, 0, snapshot.Length - MacBytes, writable: false, publiclyVisible: true);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        using var expected = new MemoryStream();
        using (var writer = new BinaryWriter(expected, Encoding.UTF8, leaveOpen: true))
        {
            WriteHeader(writer, projectId, model, dimensions);
        }

        if (stream.Length < expected.Length || !snapshot.AsSpan(0, (int)expected.Length).SequenceEqual(expected.GetBuffer().AsSpan(0, (int)expected.Length)))
        {
            return (SnapshotOpening.Other, []);
        }

        stream.Position = expected.Length;
        return (SnapshotOpening.Opened, index.ReadSnapshot(reader, snapshot, take));
    }

    /// <summary>The project's snapshot as stored (its parts joined), or null.</summary>
    public async Task<byte[]?> ReadAsync(string projectId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT data FROM frame_index_snapshots WHERE service_id = $1 AND project_id = $2 ORDER BY part");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = projectId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        using var joined = new MemoryStream();
        while (await reader.ReadAsync(cancellationToken))
        {
            joined.Write(reader.GetFieldValue<byte[]>(0));
        }

        return joined.Length > 0 ? joined.ToArray() : null;
    }

    /// <summary>Replaces the project's snapshot, in one transaction.</summary>
    public async Task WriteAsync(string projectId, byte[] snapshot, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await DeleteAsync(connection, transaction, projectId, cancellationToken);
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY frame_index_snapshots (service_id, project_id, part, data) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var (part, offset) = (0, 0); offset < snapshot.Length; part++, offset += PartBytes)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(_serviceId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(projectId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(part, NpgsqlDbType.Integer, cancellationToken);
                await import.WriteAsync(snapshot.AsSpan(offset, Math.Min(PartBytes, snapshot.Length - offset)).ToArray(), NpgsqlDbType.Bytea, cancellationToken);
            }

            await import.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string projectId, CancellationToken cancellationToken)
    {
        await using var delete = new NpgsqlCommand("DELETE FROM frame_index_snapshots WHERE service_id = $1 AND project_id = $2", connection, transaction);
        delete.Parameters.Add(new() { Value = _serviceId });
        delete.Parameters.Add(new() { Value = projectId });
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private void WriteHeader(BinaryWriter writer, string projectId, string model, int dimensions)
    {
        writer.Write(Format);
        writer.Write(_serviceId);
        writer.Write(projectId);
        writer.Write(model);
        writer.Write(dimensions);
    }
}

/// <summary>What opening a stored snapshot came to.</summary>
public enum SnapshotOpening
{
    Opened,

    /// <summary>Its MAC does not hold: written without the key, altered, or truncated.</summary>
    Forged,

    /// <summary>Authentic, but for another format, embedding model or project: built again.</summary>
    Other,
}
