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
    /// Rows at or after it that an earlier, failed call left behind are replaced, and the embeddings
    /// of their captions that no frame carries any more are deleted with them (the index may have
    /// embedded them already).
    /// </summary>
    public async Task InsertAsync(string videoId, int firstSequence, IReadOnlyList<StoredFrame> frames, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        await using (var clear = new NpgsqlCommand(
            "DELETE FROM video_frames WHERE service_id = $1 AND video_id = $2 AND seq >= $3 RETURNING caption", connection, transaction))
        {
            clear.Parameters.Add(new() { Value = _serviceId });
            clear.Parameters.Add(new() { Value = videoId });
            clear.Parameters.Add(new() { Value = firstSequence });
            await using var reader = await clear.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                replaced.Add(reader.GetString(0));
            }
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

        // After the new rows are in: a caption the retry carries again keeps its embedding.
        await DeleteOrphanEmbeddingsAsync(connection, transaction, replaced, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<StoredFrame?> GetAsync(string frameId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM video_frames WHERE service_id = $1 AND frame_id = $2");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = frameId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>A project's frames in frame id order after <paramref name="afterFrameId"/>: indexed ones, or those waiting for the index.</summary>
    public async Task<IReadOnlyList<StoredFrame>> ReadProjectAsync(
        string projectId, bool indexed, string afterFrameId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM video_frames " +
            $"WHERE service_id = $1 AND project_id = $2 AND frame_id > $3 AND {(indexed ? "indexed" : "NOT indexed")} " +
            "ORDER BY frame_id LIMIT $4");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = afterFrameId });
        command.Parameters.Add(new() { Value = limit });
        return await ReadAllAsync(command, limit, cancellationToken);
    }

    /// <summary>A project's indexed frames of these videos, in frame id order after <paramref name="afterFrameId"/>.</summary>
    public async Task<IReadOnlyList<StoredFrame>> ReadIndexedOfVideosAsync(
        string projectId, IReadOnlyList<string> videoIds, string afterFrameId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM video_frames " +
            "WHERE service_id = $1 AND project_id = $2 AND video_id = ANY($3) AND frame_id > $4 AND indexed " +
            "ORDER BY frame_id LIMIT $5");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = videoIds.ToArray() });
        command.Parameters.Add(new() { Value = afterFrameId });
        command.Parameters.Add(new() { Value = limit });
        return await ReadAllAsync(command, limit, cancellationToken);
    }

    /// <summary>
    /// Per video of the project, the <see cref="VideoFingerprint"/> of its indexed rows, computed by
    /// PostgreSQL (one aggregate, no row leaves the database): what a snapshot is checked against.
    /// </summary>
    public async Task<Dictionary<string, VideoFingerprint>> ReadIndexedFingerprintsAsync(string projectId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT video_id, count(*)::int, " +
            "bit_xor(('x' || encode(substring(sha256(seal || int4send(seq) || float8send(timestamp_seconds) " +
            "|| int4send(octet_length(convert_to(caption, 'UTF8'))) || convert_to(caption, 'UTF8') || convert_to(objects, 'UTF8')) from 1 for 8), 'hex'))::bit(64)::bigint) " +
            "FROM video_frames WHERE service_id = $1 AND project_id = $2 AND indexed GROUP BY video_id");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = projectId });
        var fingerprints = new Dictionary<string, VideoFingerprint>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            fingerprints[reader.GetString(0)] = new VideoFingerprint(reader.GetInt32(1), reader.GetInt64(2));
        }

        return fingerprints;
    }

    /// <summary>
    /// The frames of a search's candidates, each with the stored embedding of its caption as it is
    /// now (null when there is none): what the exact rescoring and the hits are made of.
    /// </summary>
    public async Task<IReadOnlyList<StoredFrame>> ReadWithEmbeddingsAsync(IReadOnlyList<string> frameIds, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {string.Join(", ", Columns.Split(", ").Select(c => "f." + c))}, c.embedding FROM video_frames f " +
            "LEFT JOIN caption_embeddings c ON c.service_id = f.service_id AND c.caption_hash = sha256(convert_to(f.caption, 'UTF8')) " +
            "WHERE f.service_id = $1 AND f.frame_id = ANY($2)");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = frameIds.ToArray() });
        return await ReadAllAsync(command, frameIds.Count, cancellationToken);
    }

    /// <summary>The stored embeddings of the captions with these SHA-256 hashes (keyed by the hash in hex); unknown ones are absent.</summary>
    public async Task<Dictionary<string, float[]>> ReadCaptionEmbeddingsAsync(IReadOnlyList<byte[]> captionHashes, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (captionHashes.Count == 0)
        {
            return found;
        }

        await using var command = dataSource.CreateCommand(
            "SELECT caption_hash, embedding FROM caption_embeddings WHERE service_id = $1 AND caption_hash = ANY($2)");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = captionHashes.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (ToVector(reader.GetFieldValue<byte[]>(1)) is { } vector)
            {
                found[Convert.ToHexString(reader.GetFieldValue<byte[]>(0))] = vector;
            }
        }

        return found;
    }

    public async Task SaveCaptionEmbeddingsAsync(IReadOnlyList<(byte[] CaptionHash, float[] Embedding)> embeddings, CancellationToken cancellationToken = default)
    {
        if (embeddings.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            "INSERT INTO caption_embeddings (service_id, caption_hash, embedding) " +
            "SELECT $1, e.caption_hash, e.embedding FROM unnest($2::bytea[], $3::bytea[]) AS e(caption_hash, embedding) " +
            "ON CONFLICT (service_id, caption_hash) DO UPDATE SET embedding = excluded.embedding");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = embeddings.Select(e => e.CaptionHash).ToArray() });
        command.Parameters.Add(new() { Value = embeddings.Select(e => MemoryMarshal.AsBytes(e.Embedding.AsSpan()).ToArray()).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records that the project's index has taken these frames in.</summary>
    public async Task MarkIndexedAsync(IReadOnlyList<string> frameIds, CancellationToken cancellationToken = default)
    {
        if (frameIds.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            "UPDATE video_frames SET indexed = true WHERE service_id = $1 AND frame_id = ANY($2)");
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = frameIds.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes a video's frames and the embeddings of the captions no other frame carries any more:
    /// an embedding is derived from a caption, and a deleted video's results leave nothing behind.
    /// </summary>
    public async Task DeleteVideoAsync(string videoId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var captions = new HashSet<string>(StringComparer.Ordinal);
        await using (var delete = new NpgsqlCommand(
            "DELETE FROM video_frames WHERE service_id = $1 AND video_id = $2 RETURNING caption", connection, transaction))
        {
            delete.Parameters.Add(new() { Value = _serviceId });
            delete.Parameters.Add(new() { Value = videoId });
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                captions.Add(reader.GetString(0));
            }
        }

        await DeleteOrphanEmbeddingsAsync(connection, transaction, captions, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Deletes the embeddings of those of <paramref name="captions"/> that no frame of this cluster carries any more.</summary>
    private async Task DeleteOrphanEmbeddingsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, HashSet<string> captions, CancellationToken cancellationToken)
    {
        if (captions.Count == 0)
        {
            return;
        }

        await using var orphans = new NpgsqlCommand(
            "DELETE FROM caption_embeddings c USING unnest($2::text[]) AS g(caption) " +
            "WHERE c.service_id = $1 AND c.caption_hash = sha256(convert_to(g.caption, 'UTF8')) " +
            "AND NOT EXISTS (SELECT 1 FROM video_frames f WHERE f.caption = g.caption AND f.service_id = $1)", connection, transaction);
        orphans.Parameters.Add(new() { Value = _serviceId });
        orphans.Parameters.Add(new() { Value = captions.ToArray() });
        await orphans.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<StoredFrame>> ReadAllAsync(NpgsqlCommand command, int expected, CancellationToken cancellationToken)
    {
        var frames = new List<StoredFrame>(expected);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            frames.Add(Read(reader));
        }

        return frames;
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
        bytes.Length > 0 && bytes.Length % sizeof(float) == 0 ? MemoryMarshal.Cast<byte, float>(bytes).ToArray() : null;
}
