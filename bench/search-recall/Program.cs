// bench/search-recall: recall@10 of the search index against an exact float32 scan, over the data
// of a bench/search-latency.sh run. Usage:
//   dotnet SearchRecall.dll <connection string> <project id> <searches.jsonl> [<embedding threads>]
// searches.jsonl: one {"request": {query, threshold, limit, detected_objects?, start_time?, end_time?}} per line.
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Npgsql;
using Surveillance.Processing;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: SearchRecall <connection string> <project id> <searches.jsonl> [<embedding threads>]");
    return 2;
}

var (connectionString, projectId, searchesFile) = (args[0], args[1], args[2]);
var threads = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 1;
using var embedder = new MiniLmTextEmbedder(Options.Create(new ProcessingOptions { EmbeddingThreads = threads }));
await using var dataSource = NpgsqlDataSource.Create(connectionString);

// --- The same data the silo's index reads: the project's indexed frames, one embedding per caption.
var clock = Stopwatch.StartNew();
var frames = new List<(FrameInfo Frame, int Sequence, int Caption)>();
var captionRows = new Dictionary<string, int>(StringComparer.Ordinal);
await using (var command = dataSource.CreateCommand(
    "SELECT frame_id, video_id, seq, timestamp_seconds, caption, objects FROM video_frames WHERE project_id = $1 AND indexed ORDER BY frame_id"))
{
    command.Parameters.Add(new() { Value = projectId });
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        var caption = reader.GetString(4);
        if (!captionRows.TryGetValue(caption, out var row))
        {
            captionRows[caption] = row = captionRows.Count;
        }

        frames.Add((new FrameInfo(reader.GetString(0), reader.GetString(1), projectId, reader.GetDouble(3), caption,
            FrameSeal.DeserializeObjects(reader.GetString(5)), "", default), reader.GetInt32(2), row));
    }
}

var byHash = new Dictionary<string, float[]>(StringComparer.Ordinal);
await using (var command = dataSource.CreateCommand("SELECT caption_hash, embedding FROM caption_embeddings"))
await using (var reader = await command.ExecuteReaderAsync())
{
    while (await reader.ReadAsync())
    {
        byHash[Convert.ToHexString(reader.GetFieldValue<byte[]>(0))] = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(reader.GetFieldValue<byte[]>(1)).ToArray();
    }
}

var captionVectors = new float[captionRows.Count][];
foreach (var (caption, row) in captionRows)
{
    captionVectors[row] = byHash.TryGetValue(Convert.ToHexString(FrameIndex.CaptionHash(caption)), out var v)
        ? v
        : throw new InvalidOperationException($"no stored embedding for the caption '{caption}'");
}

// The float32 vectors by hash, as the grain reads them for the captions near the threshold.
var vectorsByHash = captionRows.ToDictionary(c => Convert.ToHexString(FrameIndex.CaptionHash(c.Key)), c => captionVectors[c.Value], StringComparer.Ordinal);
byHash.Clear();
var classes = frames.SelectMany(f => f.Frame.DetectedObjects).Select(o => FrameIndex.ClassKey(o.Class)).Distinct().ToList();
var classVectors = (await embedder.EmbedAsync(classes)).Select((v, i) => (classes[i], v)).ToDictionary(p => p.Item1, p => p.v);
var searches = File.ReadLines(searchesFile).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!["request"]!).ToList();
var queryVectors = await embedder.EmbedAsync(searches.Select(s => s["query"]!.GetValue<string>()).ToList());
Console.WriteLine($"read {frames.Count} frames, {captionRows.Count} distinct captions, {classes.Count} classes, {searches.Count} searches in {clock.Elapsed.TotalSeconds:F1} s");

// --- The index, as the grain builds it; its heap measured around the build. ---------------------
var before = GC.GetTotalMemory(forceFullCollection: true);
var index = new FrameIndex(embedder.Dimensions);
foreach (var (key, vector) in classVectors)
{
    index.AddClass(key, vector);
}

foreach (var (frame, sequence, caption) in frames)
{
    index.Add(frame, sequence, index.HasCaption(frame.Caption) ? null : captionVectors[caption]);
}

index.TrimExcess();
var after = GC.GetTotalMemory(forceFullCollection: true);
GC.KeepAlive(index);
Console.WriteLine($"index heap: {(after - before) / 1048576.0:F1} MiB = {(double)(after - before) / frames.Count:F0} bytes per frame " +
                  $"(its own account: {index.MemoryBytes / (double)frames.Count:F0}); target < 600: {((after - before) / (double)frames.Count < 600 ? "PASS" : "FAIL")}");

// --- Each search: the index's answer against the exact float32 scan of every frame. -------------
var recalls = new List<double>();
var (countsOff, countedExact, worstOff) = (0L, 0L, 0);
var timings = new List<double>();
for (var n = 0; n < searches.Count; n++)
{
    var body = searches[n];
    var search = new FrameSearch(queryVectors[n], body["limit"]?.GetValue<int>() ?? 10, body["threshold"]?.GetValue<double>() ?? 0.7,
        body["detected_objects"]?.AsArray().Select(c => c!.GetValue<string>()).ToList() ?? [],
        body["start_time"]?.GetValue<double>(), body["end_time"]?.GetValue<double>());

    var started = Stopwatch.GetTimestamp();
    var candidates = index.Candidates(search, FrameIndex.ExtraCandidates(search.Limit));
    var byId = candidates.Ranked.Select(c => c.FrameId).ToHashSet(StringComparer.Ordinal);
    var chosen = frames.Where(f => byId.Contains(f.Frame.FrameId)).ToDictionary(f => f.Frame.FrameId, StringComparer.Ordinal);
    var answer = FrameIndex.Rescore(search, candidates.Ranked.Select(c => (c, chosen[c.FrameId].Frame, (float[]?)captionVectors[chosen[c.FrameId].Caption])));
    var total = FrameIndex.ExactTotal(search, candidates, vectorsByHash);
    timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

    var wanted = search.Objects.Select(FrameIndex.ClassKey).ToHashSet(StringComparer.Ordinal);
    var captionScores = captionVectors.Select(v => TensorPrimitives.Dot<float>(search.QueryVector, v)).ToArray();
    var classScores = classVectors.ToDictionary(c => c.Key, c => TensorPrimitives.Dot<float>(search.QueryVector, c.Value), StringComparer.Ordinal);
    var exact = frames
        .Where(f => (search.StartTime is not { } s || f.Frame.Timestamp >= s) && (search.EndTime is not { } e || f.Frame.Timestamp <= e)
                    && (wanted.Count == 0 || f.Frame.DetectedObjects.Any(o => wanted.Contains(FrameIndex.ClassKey(o.Class)))))
        .Select(f => (f.Frame.FrameId, Score: Math.Clamp((double)f.Frame.DetectedObjects
            .Select(o => classScores[FrameIndex.ClassKey(o.Class)]).Append(captionScores[f.Caption]).Max(), 0, 1)))
        .Where(f => f.Score >= search.Threshold)
        .ToList();
    var top = exact.OrderByDescending(f => f.Score).ThenBy(f => f.FrameId, StringComparer.Ordinal).Take(search.Limit).Select(f => f.FrameId).ToList();
    var off = Math.Abs(total - exact.Count);
    (countsOff, countedExact, worstOff) = (countsOff + off, countedExact + exact.Count, Math.Max(worstOff, off));
    if (top.Count > 0)
    {
        recalls.Add(top.Count(answer.Select(a => a.Frame.FrameId).Contains) / (double)top.Count);
    }
}

timings.Sort();
var recall = recalls.Count > 0 ? recalls.Average() : 1;
Console.WriteLine($"recall@10 against the exact float32 scan: {recall:F4} over {recalls.Count} searches with matches " +
                  $"(lowest {(recalls.Count > 0 ? recalls.Min() : 1):F2}, {recalls.Count(r => r < 1)} below 1); target >= 0.99: {(recall >= 0.99 ? "PASS" : "FAIL")}");
Console.WriteLine($"total_results against the exact count: {countsOff} frames off in {countedExact} matches ({100.0 * countsOff / Math.Max(1, countedExact):F3} %), at most {worstOff} in one search");
Console.WriteLine($"in-process candidates + rescoring (no database, no HTTP): p50 {timings[timings.Count / 2]:F1} ms, p95 {timings[(int)(timings.Count * 0.95)]:F1} ms");
return 0;
