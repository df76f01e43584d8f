using System.Numerics.Tensors;
using Surveillance.Processing;

namespace Surveillance.Tests.Processing;

/// <summary>
/// A search scans the caption rows and the frames in chunks over several threads (issue 15 §4), and
/// the frame pass skips on one bit per caption whether it may reach the threshold. These indexes are
/// larger than one chunk of each (4,096 rows, 16,384 frames), so that the chunked paths run: they must
/// answer exactly what one thread answers, and what an exact float32 scan answers.
/// </summary>
public sealed class FrameIndexChunkedScanTests
{
    private const int Dimensions = 384;
    private const int Frames = 40_000;
    private const int Captions = 9_000;
    private static readonly string[] Classes = ["car", "van", "person", "dog"];

    [Fact]
    public void OnTwoAndThreeThreads_TheCandidatesTotalsAndUndecidedCaptions_AreThoseOfOneThread()
    {
        var data = Build(new Random(1512));
        var ranked = 0;
        foreach (var search in Searches(data))
        {
            data.Index.ScanPartitions = 1;
            var alone = data.Index.Candidates(search, extra: 10);
            foreach (var threads in new[] { 2, 3 })
            {
                data.Index.ScanPartitions = threads;
                var chunked = data.Index.Candidates(search, extra: 10);
                Assert.Equal(alone.TotalMatches, chunked.TotalMatches);
                Assert.Equal(alone.Ranked, chunked.Ranked);
                Assert.Equal(Undecided(alone), Undecided(chunked));
            }

            ranked += alone.Ranked.Count;
        }

        Assert.True(ranked > 150, $"the searches should have candidates ({ranked})");
    }

    [Fact]
    public void ChunkedInt8Scan_HoldsTheExactFloat32TopTen_AndCountsExactly_WithClassesAndFilters()
    {
        var data = Build(new Random(20261201));
        data.Index.ScanPartitions = 2;
        var (found, wanted, matches) = (0, 0, 0);
        foreach (var search in Searches(data))
        {
            var exact = data.Stored
                .Where(s => (search.Objects.Count == 0 || search.Objects.Contains(s.Class))
                            && s.Time >= (search.StartTime ?? double.MinValue) && s.Time <= (search.EndTime ?? double.MaxValue))
                .Select(s => (s.FrameId, Score: Math.Clamp(Math.Max(
                    (double)TensorPrimitives.Dot<float>(search.QueryVector, data.Vectors[s.Caption]),
                    TensorPrimitives.Dot<float>(search.QueryVector, data.ClassVectors[s.Class])), 0, 1)))
                .Where(s => s.Score >= search.Threshold)
                .OrderByDescending(s => s.Score).ThenBy(s => s.FrameId, StringComparer.Ordinal)
                .ToList();
            var candidates = data.Index.Candidates(search, extra: 10);
            var top = exact.Take(10).Select(s => s.FrameId).ToList();
            found += top.Count(candidates.Ranked.Select(c => c.FrameId).Contains);
            wanted += top.Count;
            matches += exact.Count;
            Assert.Equal(exact.Count, FrameIndex.ExactTotal(search, candidates, data.ByHash));
        }

        Assert.True(wanted > 150 && matches > 10_000, $"the searches should have matches ({wanted} of the top ten, {matches} in all)");
        Assert.Equal(wanted, found);
    }

    private static Indexed Build(Random random)
    {
        // Captions in 40 neighbourhoods, so that queries near one match hundreds of frames with
        // scores spread around the threshold; one class ("dog") close to a neighbourhood's centre,
        // so that its class alone reaches the threshold for some queries.
        var centres = Enumerable.Range(0, 40).Select(_ => Unit(random)).ToArray();
        var vectors = Enumerable.Range(0, Captions).Select(n => Mix(Unit(random), centres[n % centres.Length], 0.55f)).ToArray();
        var classVectors = Classes.ToDictionary(c => c, c => c == "dog" ? Mix(Unit(random), centres[0], 0.8f) : Unit(random));
        var index = new FrameIndex(Dimensions);
        foreach (var (name, vector) in classVectors)
        {
            index.AddClass(name, vector);
        }

        var byHash = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var stored = new List<(string FrameId, int Caption, string Class, double Time)>(Frames);
        for (var i = 0; i < Frames; i++)
        {
            // Frames repeat captions (ties in score, broken by frame id across chunks).
            var caption = i < Captions ? i : random.Next(Captions / 3);
            var cls = Classes[random.Next(Classes.Length)];
            var video = $"video-{i % 9}";
            var frame = new FrameInfo(FrameIds.For(video, i / 9), video, "p", i / 100.0, $"caption {caption}",
                [new DetectedObject(cls, 0.9, [1, 2, 3, 4])], "m", DateTimeOffset.UnixEpoch);
            index.Add(frame, i / 9, index.HasCaption(frame.Caption) ? null : vectors[caption]);
            byHash[Convert.ToHexString(FrameIndex.CaptionHash(frame.Caption))] = vectors[caption];
            stored.Add((frame.FrameId, caption, cls, frame.Timestamp));
        }

        return new Indexed(index, vectors, classVectors, byHash, stored);
    }

    /// <summary>Queries near a neighbourhood at thresholds around its scores, some with an object filter or a time window, one in seven at threshold 0.</summary>
    private static IEnumerable<FrameSearch> Searches(Indexed data)
    {
        var random = new Random(7);
        for (var n = 0; n < 21; n++)
        {
            // The object-filtered ones near the neighbourhood whose centre "dog" is close to.
            var near = data.Vectors[n % 3 == 1 ? 0 : random.Next(40)];
            var query = Mix(Unit(random), near, 0.85f);
            var threshold = n % 7 == 6 ? 0 : 0.45 + (0.05 * (n % 4));
            IReadOnlyList<string> objects = n % 3 == 1 ? ["dog", "van"] : [];
            var (start, end) = n % 5 == 2 ? (50.0, 250.0) : ((double?)null, (double?)null);
            yield return new FrameSearch(query, 10, threshold, objects, start, end);
        }
    }

    private static List<string> Undecided(FrameCandidates candidates) =>
        candidates.Undecided.Select(u => $"{Convert.ToHexString(u.Hash)} {u.Frames} {u.ApproximateScore}").Order(StringComparer.Ordinal).ToList();

    private static float[] Unit(Random random)
    {
        var v = Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        return Normalized(v);
    }

    private static float[] Mix(float[] noise, float[] target, float weight) =>
        Normalized(noise.Zip(target, (a, b) => ((1 - weight) * a) + (weight * b)).ToArray());

    private static float[] Normalized(float[] v)
    {
        TensorPrimitives.Divide(v, TensorPrimitives.Norm<float>(v), v);
        return v;
    }

    private sealed record Indexed(
        FrameIndex Index, float[][] Vectors, Dictionary<string, float[]> ClassVectors, Dictionary<string, float[]> ByHash,
        List<(string FrameId, int Caption, string Class, double Time)> Stored);
}
