// bench/index-restart: what opening a project's search index costs in process, from its rows (as
// before the snapshot) and from its snapshot. Usage:
//   dotnet IndexRestart.dll [<frames> (100000)] [<distinct captions> (frames / 4)] [<rounds> (3)]
// Prints per round the milliseconds of each path and the snapshot's size; the median at the end.
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Surveillance.Processing;

var frames = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var captions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : frames / 4;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
const int Dimensions = 384;

var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
var seal = new FrameSeal(Options.Create(new ResultsOptions { HmacKey = key }));
var snapshots = new FrameIndexSnapshots(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1"),
    Options.Create(new ClusterOptions { ServiceId = "bench" }), Options.Create(new ResultsOptions { HmacKey = key }));

// Captions and rows as the benchmark's: sentences of ~80 characters, 1–2 objects per frame, 40 videos.
var random = new Random(15);
var classes = new[] { "car", "van", "truck", "person", "bicycle", "motorcycle", "dog", "cat", "bus", "fox" };
var captionTexts = Enumerable.Range(0, captions).Select(c => $"a {classes[c % classes.Length]} number {c} seen near the north gate in the rain, lit by a lamp").ToArray();
var captionVectors = captionTexts.Select(_ => Unit(random)).ToArray();
var classVectors = classes.ToDictionary(c => c, _ => Unit(random));
var created = DateTimeOffset.UtcNow;
var rows = new List<StoredFrame>(frames);
for (var i = 0; i < frames; i++)
{
    var caption = i < captions ? i : random.Next(captions);
    var video = $"video-{i % 40:D4}";
    var objects = Enumerable.Range(0, 1 + (i % 2)).Select(k => new DetectedObject(classes[(caption + k) % classes.Length], 0.9, [10, 20, 100, 80])).ToList();
    rows.Add(seal.Seal(new StoredFrame(FrameIds.For(video, i), video, "bench", i, i * 0.5, captionTexts[caption],
        FrameSeal.SerializeObjects(objects), "m", created, [])));
}

var byHash = captionTexts.Select((t, i) => (Convert.ToHexString(FrameIndex.CaptionHash(t)), captionVectors[i])).ToDictionary(p => p.Item1, p => p.Item2);
Console.WriteLine($"{frames} frames, {captions} distinct captions, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

var (fromRows, encode, fromSnapshot) = (new List<double>(), new List<double>(), new List<double>());
var size = 0;
for (var round = 0; round < rounds; round++)
{
    // From rows: what the grain did for every row (the stored vectors by hash stand in for caption_embeddings).
    var clock = Stopwatch.StartNew();
    var index = new FrameIndex(Dimensions);
    foreach (var (name, vector) in classVectors)
    {
        index.AddClass(name, vector);
    }

    var fingerprints = new Dictionary<string, VideoFingerprint>(StringComparer.Ordinal);
    foreach (var row in rows)
    {
        if (seal.Open(row) is not { } frame)
        {
            throw new InvalidOperationException("a seal did not hold");
        }

        index.Add(frame, row.Sequence, index.HasCaption(frame.Caption) ? null : byHash[Convert.ToHexString(FrameIndex.CaptionHash(frame.Caption))]);
        fingerprints[frame.VideoId] = (fingerprints.TryGetValue(frame.VideoId, out var f) ? f : default).With(VideoFingerprint.Tag(row));
    }

    index.TrimExcess();
    fromRows.Add(clock.Elapsed.TotalMilliseconds);

    clock.Restart();
    var snapshot = snapshots.Encode("bench", "model", index, Dimensions, fingerprints);
    encode.Add(clock.Elapsed.TotalMilliseconds);
    size = snapshot.Length;

    clock.Restart();
    var opened = new FrameIndex(Dimensions);
    var (opening, taken) = snapshots.Decode(snapshot, "bench", "model", opened, Dimensions, (v, fp) => fingerprints[v] == fp);
    fromSnapshot.Add(clock.Elapsed.TotalMilliseconds);
    if (opening != SnapshotOpening.Opened || opened.Count != index.Count || taken.Count != fingerprints.Count)
    {
        throw new InvalidOperationException($"the snapshot did not open as written: {opening}, {opened.Count} of {index.Count} frames");
    }

    Console.WriteLine($"round {round + 1}: from rows {fromRows[^1]:F0} ms (CPU only: seals, objects, hashes, quantizing); " +
                      $"snapshot written in {encode[^1]:F0} ms, {size / 1048576.0:F1} MiB = {(double)size / frames:F0} bytes per frame; opened in {fromSnapshot[^1]:F0} ms (MAC and parse)");
}

Console.WriteLine($"median: from rows {Median(fromRows):F0} ms, snapshot encode {Median(encode):F0} ms, open {Median(fromSnapshot):F0} ms; " +
                  $"load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
return 0;

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static float[] Unit(Random random)
{
    var v = Enumerable.Range(0, 384).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    var norm = TensorPrimitives.Norm<float>(v);
    return v.Select(x => x / norm).ToArray();
}
