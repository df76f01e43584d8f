using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;

namespace Surveillance.Processing;

/// <summary>
/// <c>video_frames</c> in PostgreSQL, scoped to this cluster's <c>ServiceId</c> (like Orleans' own
/// tables). Rows are written by the video grain, embedded and read back by the project's index grain.
/// </summary>
public sealed class FrameStore(NpgsqlDataSource dataSource, IOptions<ClusterOptions> cluster)
{
    /// <summary>The stored fields of a frame, in the order <see cref="Read"/> reads them.</summary>
    internal const string Columns =
        "frame_id, video_id, project_id, seq, timestamp_seconds, caption, objects, model_version, created_at, seal";

    private readonly string _serviceId = cluster.Value.ServiceId;

    /// <summary>
    /// Stores a video's frames from sequence <paramref name="firstSequence"/> on, in one transaction.
    /// Rows at or after it that an earlier, failed call left behind are replaced.
    /// </summary>
    public async Task InsertAsync(string videoId, int firstSequence, IReadOnlyList<StoredFrame> frames, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var clear = new NpgsqlCommand(
            "DELETE FROM video_frames WHERE service_id = $1 AND video_id = $2 AND seq >= $3", connection, transaction))
        {
            clear.Parameters.Add(new() { Value = _serviceId });
            clear.Parameters.Add(new() { Value = videoId });
            clear.Parameters.Add(new() { Value = firstSequence });
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var import = await connection.BeginBinaryImportAsync(
            $"COPY video_frames (service_id, {Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var frame in frames)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(_serviceId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(frame.FrameId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(frame.VideoId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(frame.ProjectId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(frame.Sequence, NpgsqlDbType.Integer, cancellationToken);
                await import.WriteAsync(frame.Timestamp, NpgsqlDbType.Double, cancellationToken);
                await import.WriteAsync(frame.Caption, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(frame.ObjectsJson, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(frame.ModelVersion, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(frame.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await import.WriteAsync(frame.Seal, NpgsqlDbType.Bytea, cancellationToken);
            }

            await import.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<StoredFrame?> GetAsync(string frameId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns}, embedding FROM video_frames WHERE service_id = $1 AND frame_id = $2");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = frameId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>A project's frames in frame id order after <paramref name="afterFrameId"/>: indexed ones, or those waiting for an embedding.</summary>
    public async Task<IReadOnlyList<StoredFrame>> ReadProjectAsync(
        string projectId, bool indexed, string afterFrameId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns}, embedding FROM video_frames " +
            $"WHERE service_id = $1 AND project_id = $2 AND frame_id > $3 AND embedding IS {(indexed ? "NOT NULL" : "NULL")} " +
            "ORDER BY frame_id LIMIT $4");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = afterFrameId });
        command.Parameters.Add(new() { Value = limit });
        var frames = new List<StoredFrame>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            frames.Add(Read(reader));
        }

        return frames;
    }

    public async Task SaveEmbeddingsAsync(IReadOnlyList<(string FrameId, float[] Embedding)> embeddings, CancellationToken cancellationToken = default)
    {
        if (embeddings.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            "UPDATE video_frames AS f SET embedding = e.embedding " +
            "FROM unnest($2::text[], $3::bytea[]) AS e(frame_id, embedding) " +
            "WHERE f.service_id = $1 AND f.frame_id = e.frame_id");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = embeddings.Select(e => e.FrameId).ToArray() });
        command.Parameters.Add(new() { Value = embeddings.Select(e => MemoryMarshal.AsBytes(e.Embedding.AsSpan()).ToArray()).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteVideoAsync(string videoId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM video_frames WHERE service_id = $1 AND video_id = $2");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = videoId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A row of <see cref="Columns"/>, with the embedding when the query selected it after them.</summary>
    internal static StoredFrame Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetInt32(3),
        reader.GetDouble(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetString(7),
        reader.GetFieldValue<DateTimeOffset>(8),
        reader.GetFieldValue<byte[]>(9),
        reader.FieldCount <= 10 || reader.IsDBNull(10) ? null : ToVector(reader.GetFieldValue<byte[]>(10)));

    private static float[]? ToVector(byte[] bytes) =>
        bytes.Length % sizeof(float) == 0 ? MemoryMarshal.Cast<byte, float>(bytes).ToArray() : null;
}
