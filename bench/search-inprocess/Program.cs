// bench/search-inprocess: the whole search path minus HTTP, Orleans and PostgreSQL, at a million
// frames, in minutes instead of bench/search-latency.sh's 36. Usage:
//   dotnet SearchInProcess.dll [<frames> (1000000)] [<distinct captions> (frames / 4)] [<searches> (200)] [<scan partitions> (cores)] [<embedding threads> (2, as the benchmark's silo)]
// Captions: SEED_CAPTIONS sentences composed like bench/search-latency.sh's are embedded by the real
// model; each of the C distinct captions is one of them mixed with another and a little noise (so
// that scores are distributed like real ones: a few captions near a query, most far), unit length.
// Frames repeat captions with the benchmark's skew. Queries are new sentences (no cached vector),
// threshold 0.7, limit 10, a quarter with an object filter and a fifth with a time window, as there.
// Prints p50/p95/p99/max of each phase, the index's bytes per frame, GC counts and load average.
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime;
using Microsoft.Extensions.Options;
using Surveillance.Processing;

var frames = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var captions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : frames / 4;
var searches = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
var partitions = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
var embeddingThreads = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 2;
const int SeedCaptions = 3000;
const int Warmup = 20;
const double Duration = 300;

var random = new Random(15);
using var embedder = new MiniLmTextEmbedder(Options.Create(new ProcessingOptions { EmbeddingThreads = embeddingThreads }));
var clock = Stopwatch.StartNew();
var seeds = Enumerable.Range(0, SeedCaptions * 2).Select(_ => Compose(random)).DistinctBy(c => c.Text).Take(SeedCaptions).ToArray();
// The seeds' vectors are kept between runs (bench/out is git-ignored): embedding them takes a minute or two.
var seedFile = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "out", $"search-inprocess-seeds-{SeedCaptions}.bin");
float[][] seedVectors;
if (File.Exists(seedFile))
{
    using var reader = new BinaryReader(File.OpenRead(seedFile));
    seedVectors = seeds.Select(_ => Enumerable.Range(0, 384).Select(_ => reader.ReadSingle()).ToArray()).ToArray();
}
else
{
    seedVectors = await embedder.EmbedAsync(seeds.Select(s => s.Text).ToList());
    Directory.CreateDirectory(Path.GetDirectoryName(seedFile)!);
    using var writer = new BinaryWriter(File.Create(seedFile));
    foreach (var value in seedVectors.SelectMany(v => v))
    {
        writer.Write(value);
    }
}

Console.WriteLine($"{seeds.Length} seed captions embedded (or read from {Path.GetFullPath(seedFile)}) in {clock.Elapsed.TotalSeconds:F0} s, e.g. \"{seeds[0].Text}\"");

clock.Restart();
var classNames = seeds.Select(s => s.Class).Append("person").Distinct().ToArray();
var classVectors = (await embedder.EmbedAsync(classNames)).Select((v, i) => (classNames[i], v)).ToDictionary(p => p.Item1, p => p.v);
var index = new FrameIndex(384) { ScanPartitions = partitions };
foreach (var (name, vector) in classVectors)
{
    index.AddClass(FrameIndex.ClassKey(name), vector);
}

var captionTexts = new string[captions];
var captionClasses = new string[captions];
var exact = new Dictionary<string, float[]>(captions, StringComparer.Ordinal);
var vectorOf = new float[captions][];
for (var c = 0; c < captions; c++)
{
    var (a, b) = (random.Next(seeds.Length), random.Next(seeds.Length));
    var mixed = new float[384];
    for (var d = 0; d < mixed.Length; d++)
    {
        mixed[d] = seedVectors[a][d] + (0.35f * seedVectors[b][d]) + (float)(Gaussian(random) * 0.02);
    }

    TensorPrimitives.Divide(mixed, TensorPrimitives.Norm<float>(mixed), mixed);
    captionTexts[c] = $"{seeds[a].Text} #{c}";
    captionClasses[c] = seeds[a].Class;
    vectorOf[c] = mixed;
    exact[Convert.ToHexString(FrameIndex.CaptionHash(captionTexts[c]))] = mixed;
}

var created = DateTimeOffset.UtcNow;
var stored = new Dictionary<string, (FrameInfo Frame, int Caption)>(StringComparer.Ordinal);
var order = Enumerable.Range(0, frames).OrderBy(_ => random.Next()).ToArray();
for (var i = 0; i < frames; i++)
{
    var position = order[i];
    var caption = position < captions ? position : (int)(captions * Math.Pow(random.NextDouble(), 2));
    var video = $"video-{i % 100:D4}";
    List<DetectedObject> objects = [new(captionClasses[caption], 0.9, [1, 2, 3, 4])];
    if (captionClasses[caption] != "person" && random.NextDouble() < 0.3)
    {
        objects.Add(new DetectedObject("person", 0.8, [1, 2, 3, 4]));
    }

    var sequence = i / 100;
    var frame = new FrameInfo(FrameIds.For(video, sequence), video, "bench", Math.Round(i * Duration / frames, 4), captionTexts[caption], objects, "m", created);
    index.Add(frame, sequence, index.HasCaption(frame.Caption) ? null : vectorOf[caption]);
    stored[frame.FrameId] = (frame, caption);
}

index.TrimExcess();
GC.Collect();
Console.WriteLine($"{frames} frames, {index.DistinctCaptions} distinct captions indexed in {clock.Elapsed.TotalSeconds:F0} s: " +
                  $"{index.MemoryBytes / (double)frames:F0} bytes per frame by the index's account");
Console.WriteLine($"{Environment.ProcessorCount} cores, scan partitions {partitions}, server GC {GCSettings.IsServerGC}, " +
                  $"GC latency mode {GCSettings.LatencyMode}, embedding threads {embeddingThreads}, load {Load()}");

var (captionsPass, framesPass) = (new List<double>(), new List<double>());
var (embed, candidates, exactPart, total, cachedTotal) = (new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<double>());
var (matches, gcBefore, allocated) = (0L, (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)), GC.GetTotalAllocatedBytes());
var queries = seeds.Select(s => s.Text).ToHashSet(StringComparer.Ordinal);
for (var n = 0; n < Warmup + searches; n++)
{
    var (text, cls) = Compose(random);
    if (!queries.Add(text))
    {
        n--;
        continue;
    }

    var search = Search(n, cls, []);
    var started = Stopwatch.GetTimestamp();
    var vector = (await embedder.EmbedAsync([text]))[0];
    var embedded = Stopwatch.GetTimestamp();
    search = search with { QueryVector = vector };
    var found = index.Candidates(search, FrameIndex.ExtraCandidates(search.Limit));
    var scanned = Stopwatch.GetTimestamp();
    var count = FrameIndex.ExactTotal(search, found, exact);
    var hits = FrameIndex.Rescore(search, found.Ranked.Select(c => (c, stored[c.FrameId].Frame, (float[]?)vectorOf[stored[c.FrameId].Caption])));
    var done = Stopwatch.GetTimestamp();

    // The same search again with its vector known: what a cached query costs.
    var again = Stopwatch.GetTimestamp();
    var repeated = index.Candidates(search, FrameIndex.ExtraCandidates(search.Limit));
    _ = FrameIndex.ExactTotal(search, repeated, exact);
    var repeatedDone = Stopwatch.GetTimestamp();
    if (n < Warmup)
    {
        continue;
    }

    matches += count;
    _ = hits.Count;
    embed.Add(Stopwatch.GetElapsedTime(started, embedded).TotalMilliseconds);
    candidates.Add(Stopwatch.GetElapsedTime(embedded, scanned).TotalMilliseconds);
    captionsPass.Add(found.CaptionsScan.TotalMilliseconds);
    framesPass.Add(found.FramesScan.TotalMilliseconds);
    exactPart.Add(Stopwatch.GetElapsedTime(scanned, done).TotalMilliseconds);
    total.Add(Stopwatch.GetElapsedTime(started, done).TotalMilliseconds);
    cachedTotal.Add(Stopwatch.GetElapsedTime(again, repeatedDone).TotalMilliseconds);
}

Console.WriteLine($"{searches} searches (after {Warmup} warm-up), {matches / (double)searches:F0} matches per search on average; load {Load()}");
Print("query embedding (MiniLM, new text)", embed);
Print("candidates (int8 scan + frames)", candidates);
Print("  of which: int8 scan of the captions", captionsPass);
Print("  of which: frames and best few", framesPass);
Print("exact total + rescoring (in memory)", exactPart);
Print("whole search", total);
Print("whole search, vector known", cachedTotal);
Console.WriteLine($"GC during the searches: gen0 {GC.CollectionCount(0) - gcBefore.Item1}, gen1 {GC.CollectionCount(1) - gcBefore.Item2}, " +
                  $"gen2 {GC.CollectionCount(2) - gcBefore.Item3}; {(GC.GetTotalAllocatedBytes() - allocated) / 2.0 / (searches + Warmup) / 1024:F0} KiB allocated per search; " +
                  $"pause total {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms");
return 0;

FrameSearch Search(int n, string cls, float[] vector)
{
    var start = n % 5 == 2 ? Math.Round(random.NextDouble() * Duration * 0.8, 1) : (double?)null;
    return new FrameSearch(vector, 10, 0.7, n % 4 == 1 ? [cls] : [], start, start + (Duration * 0.1));
}

static void Print(string what, List<double> values)
{
    var sorted = values.Order().ToArray();
    double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    Console.WriteLine($"  {what,-40} p50 {At(0.5),7:F1}  p95 {At(0.95),7:F1}  p99 {At(0.99),7:F1}  max {sorted[^1],7:F1} ms");
}

static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

static double Gaussian(Random random) =>
    Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

// A sentence like bench/search-latency.sh's captions (a smaller vocabulary: the seeds are mixed after).
static (string Text, string Class) Compose(Random r)
{
    string[] colours = ["red", "blue", "white", "black", "silver", "grey", "green", "yellow", "dark blue", "orange", "maroon", "beige"];
    (string, string)[] vehicles = [("car", "car"), ("hatchback", "car"), ("taxi", "car"), ("van", "van"), ("delivery van", "van"),
        ("pickup truck", "truck"), ("lorry", "truck"), ("bus", "bus"), ("coach", "bus"), ("motorcycle", "motorcycle"), ("scooter", "motorcycle"), ("bicycle", "bicycle")];
    (string, string)[] people = [("man", "person"), ("woman", "person"), ("child", "person"), ("courier", "person"), ("security guard", "person"),
        ("jogger", "person"), ("cleaner", "person"), ("worker", "person")];
    string[] wearing = ["in a {0} jacket", "in a {0} hoodie", "wearing a {0} cap", "with a {0} backpack", "with a {0} umbrella", "carrying a {0} box"];
    string[] vehicleActions = ["parked", "driving slowly", "stopping", "turning left", "reversing", "speeding", "double-parked", "unloading goods", "blocking the exit", "leaving"];
    string[] personActions = ["walking", "running", "standing still", "loitering", "carrying a large bag", "talking on a phone", "looking into parked cars",
        "smoking", "climbing over a wall", "checking a door handle", "walking a dog", "dropping a package", "waiting", "crossing the road"];
    string[] places = ["near the north gate", "in the car park", "at the loading dock", "by the main entrance", "on the access road", "next to the perimeter fence",
        "at the petrol pump", "under the street light", "outside the warehouse", "at the barrier", "in the bus lane", "at the side door", "near the fire exit",
        "in the delivery yard", "by the bins", "in the underground garage", "near the cash machine", "in the alley", "by the security hut", "at the taxi rank"];
    string[] times = ["", "", " at night", " in the rain", " at dawn", " in heavy fog", " in snow", " after closing time"];
    string[] details = ["", "", ", seen from behind", ", close to the camera", ", blurred by motion", ", lit by a security lamp"];
    string subject, action, cls;
    if (r.NextDouble() < 0.55)
    {
        var (noun, c) = vehicles[r.Next(vehicles.Length)];
        (subject, action, cls) = ($"a {colours[r.Next(colours.Length)]} {noun}", vehicleActions[r.Next(vehicleActions.Length)], c);
    }
    else
    {
        var (noun, c) = people[r.Next(people.Length)];
        (subject, action, cls) = ($"a {noun} {string.Format(CultureInfo.InvariantCulture, wearing[r.Next(wearing.Length)], colours[r.Next(colours.Length)])}",
            personActions[r.Next(personActions.Length)], c);
    }

    return ($"{subject} {action} {places[r.Next(places.Length)]}{times[r.Next(times.Length)]}{details[r.Next(details.Length)]}", cls);
}
