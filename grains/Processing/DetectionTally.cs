using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace Surveillance.Processing;

/// <summary>
/// Counts the stored results of videos from <c>video_frames</c> (no embeddings): for a video whose
/// results were stored before <c>VideoGrain</c> kept a tally of them, once. Every row is checked
/// against its seal as the frame metadata is; a row changed outside the API is left out and
/// recorded as an integrity failure.
/// </summary>
public sealed class DetectionTally(
    NpgsqlDataSource dataSource,
    FrameSeal seal,
    IIntegrityFailureAudit integrity,
    IOptions<ClusterOptions> cluster,
    ILogger<DetectionTally> logger)
{
    public async Task<List<VideoDetections>> CountAsync(IReadOnlyList<string> videoIds, CancellationToken cancellationToken = default)
    {
        var tallies = videoIds.Distinct(StringComparer.Ordinal).ToDictionary(
            id => id, _ => (Frames: 0, Objects: new Dictionary<string, int>(StringComparer.Ordinal)), StringComparer.Ordinal);
        var tampered = new Dictionary<string, string>(StringComparer.Ordinal);
        if (tallies.Count > 0)
        {
            await using var command = dataSource.CreateCommand(
                $"SELECT {FrameStore.Columns} FROM video_frames WHERE service_id = $1 AND video_id = ANY($2)");
            command.Parameters.Add(new() { Value = cluster.Value.ServiceId });
            command.Parameters.Add(new() { Value = tallies.Keys.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var frame = FrameStore.Read(reader);
                if (!tallies.TryGetValue(frame.VideoId, out var tally))
                {
                    continue;
                }

                if (seal.Open(frame) is not { } opened)
                {
                    tampered[frame.VideoId] = frame.ProjectId;
                    continue;
                }

                foreach (var detected in opened.DetectedObjects)
                {
                    tally.Objects[detected.Class] = tally.Objects.GetValueOrDefault(detected.Class) + 1;
                }

                tallies[frame.VideoId] = (tally.Frames + 1, tally.Objects);
            }
        }

        foreach (var (videoId, projectId) in tampered)
        {
            logger.LogCritical("Stored results of video {VideoId} failed their integrity check; analytics leave them out", videoId);
            await integrity.RecordAsync(videoId, projectId, "stored results", cancellationToken);
        }

        return tallies.Select(t => new VideoDetections(t.Key, t.Value.Frames, t.Value.Objects)).ToList();
    }
}
