using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Surveillance.Processing;

/// <summary>
/// The in-memory half of a project's search index, sized for a million frames (issue 15 §4):
/// <list type="bullet">
/// <item>one vector per <em>distinct caption</em> (cameras repeat themselves), held as int8 with a
/// per-vector scale (<see cref="CaptionVectors"/>): 384 bytes instead of 1,536;</item>
/// <item>per frame only what the scan needs, 24 bytes: its video, sequence, time, caption row and
/// class set; captions and objects stay in PostgreSQL and are read for the hits only.</item>
/// </list>
/// A frame's score is the best cosine similarity of the query with its caption or one of its object
/// classes, clamped to 0–1. <see cref="Candidates"/> scores every distinct caption once from the
/// int8 vectors, then every frame with two array reads, and keeps the best few more than asked:
/// its grain rescores them with the exact float32 caption vectors and seals read back from
/// PostgreSQL. Not thread-safe: its grain serialises access.
/// </summary>
public sealed partial class FrameIndex(int dimensions)
{
    private readonly CaptionVectors _captions = new(dimensions);
    private readonly List<FrameSlot> _frames = [];
    private readonly List<string?> _videoIds = [];
    private readonly Dictionary<string, int> _videoSlots = new(StringComparer.Ordinal);
    private readonly List<SequenceSet> _videoSequences = [];
    private readonly List<string[]> _classSets = [];
    private readonly Dictionary<string, int> _classSetIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[]> _classVectors = new(StringComparer.Ordinal);

    /// <summary>Caption rows per chunk of a search's first pass (4,096 × 384 bytes: 1.5 MiB of codes).</summary>
    private const int RowsPerChunk = 4096;

    /// <summary>Frames per chunk of a search's second pass (16,384 × 24 bytes: 384 KiB).</summary>
    private const int FramesPerChunk = 16_384;

    public int Count => _frames.Count;

    /// <summary>
    /// How many candidates beyond the limit a search keeps for exact rescoring: as many again, at
    /// least 10. int8 scores are within ~10⁻³ of the float32 ones, so the exact best are among them
    /// (recall@10 is measured by bench/search-latency.sh with bench/search-recall).
    /// </summary>
    public static int ExtraCandidates(int limit) => Math.Max(limit, 10);

    public int DistinctCaptions => _captions.Count;

    /// <summary>
    /// On how many threads at once a search scans (issue 15 §4: at a million frames one core's scan
    /// is most of a search's time). The cores by default; 1 scans on the calling thread only.
    /// </summary>
    public int ScanPartitions { get; set; } = Environment.ProcessorCount;

    /// <summary>What the index holds on the heap (arrays at their capacity; dictionaries estimated per entry).</summary>
    public long MemoryBytes =>
        _captions.MemoryBytes
        + ((long)_frames.Capacity * Unsafe.SizeOf<FrameSlot>())
        + _videoSequences.Sum(s => s.MemoryBytes)
        + (_classVectors.Count * (dimensions * sizeof(float) + 64L))
        + _classSets.Sum(s => 48L + (8L * s.Length));

    public bool Contains(string videoId, int sequence) =>
        _videoSlots.TryGetValue(videoId, out var video) && _videoSequences[video].Contains(sequence);

    public bool HasCaption(string caption) => _captions.Contains(caption);

    public bool HasClass(string classKey) => _classVectors.ContainsKey(classKey);

    /// <summary>The key a class is matched by: trimmed, lower-case.</summary>
    public static string ClassKey(string name) => name.Trim().ToLowerInvariant();

    public void AddClass(string classKey, float[] vector)
    {
        CheckLength(vector);
        _classVectors[classKey] = vector;
    }

    /// <summary>
    /// Adds a frame, or replaces the one of the same video and sequence. Its classes must have
    /// been added first; <paramref name="captionVector"/> may be null when the caption is indexed already.
    /// </summary>
    public void Add(FrameInfo frame, int sequence, float[]? captionVector)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        if (captionVector is not null)
        {
            CheckLength(captionVector);
        }

        var classes = frame.DetectedObjects.Select(o => ClassKey(o.Class)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classes.FirstOrDefault(c => !_classVectors.ContainsKey(c)) is { } unknown)
        {
            throw new InvalidOperationException($"The class '{unknown}' has no embedding yet.");
        }

        if (captionVector is null && !_captions.Contains(frame.Caption))
        {
            throw new InvalidOperationException("The caption has no embedding yet.");
        }

        if (Contains(frame.VideoId, sequence))
        {
            RemoveWhere(slot => _videoIds[slot.Video] == frame.VideoId && slot.Sequence == sequence);
        }

        var row = _captions.AddReference(frame.Caption, captionVector);
        var video = VideoSlot(frame.VideoId);
        _videoSequences[video].Add(sequence);
        _frames.Add(new FrameSlot(video, sequence, frame.Timestamp, row, ClassSetId(classes)));
    }

    /// <summary>Drops every frame of a video, keeping the frame list contiguous.</summary>
    public void RemoveVideo(string videoId)
    {
        if (!_videoSlots.Remove(videoId, out var video))
        {
            return;
        }

        RemoveWhere(slot => slot.Video == video);
        _videoIds[video] = null;
        _videoSequences[video] = new SequenceSet();
    }

    /// <summary>Sizes the frame list to what it holds (after a bulk load).</summary>
    public void TrimExcess() => _frames.TrimExcess();

    /// <summary>
    /// The frames that pass the filters and may pass the threshold: how many pass it for certain,
    /// the best <c>limit + extra</c> of those that may (by int8 score), best first, and the captions
    /// whose int8 score lies within its error bound (<see cref="CaptionVectors.ErrorBound"/>) of the
    /// threshold with how many frames each decides — <see cref="ExactTotal"/> decides them on their
    /// float32 vectors, so that <c>total_results</c> is an exact scan's count.
    /// </summary>
    public FrameCandidates Candidates(FrameSearch search, int extra)
    {
        CheckLength(search.QueryVector);
        var started = Stopwatch.GetTimestamp();
        var wanted = search.Objects.Select(ClassKey).ToHashSet(StringComparer.Ordinal);
        var setScores = new float[_classSets.Count];
        var setWanted = new bool[_classSets.Count];
        for (var s = 0; s < _classSets.Count; s++)
        {
            setScores[s] = float.NegativeInfinity;
            foreach (var key in _classSets[s])
            {
                setScores[s] = Math.Max(setScores[s], TensorPrimitives.Dot<float>(search.QueryVector, _classVectors[key]));
            }

            setWanted[s] = wanted.Count == 0 || _classSets[s].Any(wanted.Contains);
        }

        // Pass 1: every distinct caption's int8 score and error bound, in chunks of rows over the cores.
        var rows = _captions.Rows;
        var captionScores = ArrayPool<float>.Shared.Rent(Math.Max(1, rows));
        var bounds = ArrayPool<float>.Shared.Rent(Math.Max(1, rows));
        var undecided = ArrayPool<int>.Shared.Rent(Math.Max(1, rows));
        var reaching = ArrayPool<ulong>.Shared.Rent(Math.Max(1, (rows + 63) / 64));
        var query = _captions.QueryCodes(search.QueryVector, out var queryScale);
        var queryL1 = TensorPrimitives.SumOfMagnitudes<float>(search.QueryVector);
        InChunks(rows, RowsPerChunk, (from, to) =>
        {
            _captions.Score(query, queryScale, queryL1, from, to, captionScores, bounds);
            Array.Clear(undecided, from, to - from);

            // One bit per caption that may reach the threshold (chunks start at a multiple of 64:
            // no two chunks write the same word). The frame pass reads these 31 KiB, not the scores.
            for (var row = from; row < to; row++)
            {
                var bit = 1UL << (row & 63);
                reaching[row >> 6] = Math.Clamp(captionScores[row] + bounds[row], 0, 1) >= search.Threshold
                    ? reaching[row >> 6] | bit
                    : reaching[row >> 6] & ~bit;
            }
        });
        var captionsScanned = Stopwatch.GetTimestamp();

        // Pass 2: every frame, in chunks over the cores, each with its own best few; merged after.
        var keep = search.Limit + extra;
        var scan = new FrameScan(this, search, keep, setScores, setWanted, captionScores, bounds, undecided, reaching);
        var partials = new ConcurrentBag<FrameScanPartial>();
        InChunks(_frames.Count, FramesPerChunk, (from, to) =>
        {
            var partial = scan.Run(from, to);
            partials.Add(partial);
        });

        var best = new PriorityQueue<int, (float Score, int Slot)>(keep + 1, new WorstFirst(this));
        var total = 0;
        foreach (var partial in partials)
        {
            total += partial.Total;
            foreach (var (slot, rank) in partial.Best.UnorderedItems)
            {
                if (best.Count < keep)
                {
                    best.Enqueue(slot, rank);
                }
                else
                {
                    best.EnqueueDequeue(slot, rank);
                }
            }
        }

        var ranked = new FrameCandidate[best.Count];
        for (var n = ranked.Length - 1; best.TryDequeue(out var i, out var rank); n--)
        {
            var frame = _frames[i];
            var classScore = setScores[frame.ClassSet];
            ranked[n] = new FrameCandidate(FrameIdOf(frame), _videoIds[frame.Video]!, rank.Score,
                float.IsNegativeInfinity(classScore) ? 0 : classScore);
        }

        var close = new List<UndecidedCaption>();
        for (var row = 0; row < rows; row++)
        {
            if (undecided[row] > 0)
            {
                close.Add(new UndecidedCaption(_captions.HashOf(row), captionScores[row], undecided[row]));
            }
        }

        ArrayPool<float>.Shared.Return(captionScores);
        ArrayPool<float>.Shared.Return(bounds);
        ArrayPool<int>.Shared.Return(undecided);
        ArrayPool<ulong>.Shared.Return(reaching);
        return new FrameCandidates(total, ranked, close)
        {
            CaptionsScan = Stopwatch.GetElapsedTime(started, captionsScanned),
            FramesScan = Stopwatch.GetElapsedTime(captionsScanned),
        };
    }

    /// <summary>
    /// The exact number of matches: the certain ones, plus the frames of each undecided caption
    /// whose float32 vector (<paramref name="captionVectors"/>, by the caption's SHA-256 in hex) puts
    /// it at or above the threshold. A caption without a usable vector is decided on its int8 score,
    /// as its frames are scored when rescored.
    /// </summary>
    public static int ExactTotal(FrameSearch search, FrameCandidates candidates, IReadOnlyDictionary<string, float[]> captionVectors)
    {
        var total = candidates.TotalMatches;
        foreach (var caption in candidates.Undecided)
        {
            var score = captionVectors.TryGetValue(Convert.ToHexString(caption.Hash), out var vector) && IsUsable(vector, search.QueryVector.Length)
                ? TensorPrimitives.Dot<float>(search.QueryVector, vector)
                : caption.ApproximateScore;
            if (Math.Clamp((double)score, 0, 1) >= search.Threshold)
            {
                total += caption.Frames;
            }
        }

        return total;
    }

    /// <summary>
    /// The second half of a search: the candidates' frames as stored now (seal verified by the
    /// caller) with the float32 embedding of their caption, scored exactly, filtered again, the
    /// best <c>limit</c> of them in API.md's order (score, then frame id). A candidate without its
    /// frame (deleted since) is left out; one without an embedding keeps its int8 score.
    /// </summary>
    public static List<(double Score, FrameInfo Frame)> Rescore(
        FrameSearch search, IEnumerable<(FrameCandidate Candidate, FrameInfo Frame, float[]? CaptionVector)> candidates)
    {
        var wanted = search.Objects.Select(ClassKey).ToHashSet(StringComparer.Ordinal);
        var scored = new List<(double Score, FrameInfo Frame)>();
        foreach (var (candidate, frame, vector) in candidates)
        {
            if ((search.StartTime is { } start && frame.Timestamp < start)
                || (search.EndTime is { } end && frame.Timestamp > end)
                || (wanted.Count > 0 && !frame.DetectedObjects.Any(o => wanted.Contains(ClassKey(o.Class)))))
            {
                continue;
            }

            var captionScore = IsUsable(vector, search.QueryVector.Length)
                ? TensorPrimitives.Dot<float>(search.QueryVector, vector!)
                : candidate.ApproximateScore;
            var score = Math.Clamp((double)Math.Max(captionScore, candidate.ClassScore), 0, 1);
            if (score >= search.Threshold)
            {
                scored.Add((score, frame));
            }
        }

        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Frame.FrameId, StringComparer.Ordinal).Take(search.Limit).ToList();
    }

    /// <summary>
    /// Whether a stored embedding can be used: the model's unit vectors only. Embeddings are derived
    /// data, not sealed; one of the wrong size or length (corrupted, or written outside the API) is
    /// computed again rather than trusted into a score.
    /// </summary>
    public static bool IsUsable(float[]? vector, int dimensions) =>
        vector is not null && vector.Length == dimensions && Math.Abs(TensorPrimitives.Norm<float>(vector) - 1) < 1e-3f;

    /// <summary>SHA-256 of a caption's UTF-8: how PostgreSQL's <c>caption_embeddings</c> knows it.</summary>
    public static byte[] CaptionHash(string caption) => CaptionVectors.Sha256(caption);

    /// <summary>
    /// Runs <paramref name="body"/> over <c>[0, count)</c> in chunks: on up to
    /// <see cref="ScanPartitions"/> threads of the shared pool (never a grain's scheduler, which runs
    /// one thing at a time), the calling thread among them; inline when there is one chunk.
    /// Chunks are small enough that a thread the machine descheduled holds up little of the scan.
    /// </summary>
    private void InChunks(int count, int chunkSize, Action<int, int> body)
    {
        var chunks = (count + chunkSize - 1) / chunkSize;
        if (chunks <= 1 || ScanPartitions <= 1)
        {
            body(0, count);
            return;
        }

        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = ScanPartitions, TaskScheduler = TaskScheduler.Default },
            chunk => body(chunk * chunkSize, (int)Math.Min(count, ((long)chunk + 1) * chunkSize)));
    }

    private string FrameIdOf(in FrameSlot frame) => FrameIds.For(_videoIds[frame.Video]!, frame.Sequence);

    private void RemoveWhere(Func<FrameSlot, bool> predicate)
    {
        var kept = 0;
        for (var i = 0; i < _frames.Count; i++)
        {
            var frame = _frames[i];
            if (predicate(frame))
            {
                _captions.Release(frame.CaptionRow);
                _videoSequences[frame.Video].Remove(frame.Sequence);
                continue;
            }

            _frames[kept++] = frame;
        }

        _frames.RemoveRange(kept, _frames.Count - kept);
    }

    private int VideoSlot(string videoId)
    {
        if (!_videoSlots.TryGetValue(videoId, out var video))
        {
            video = _videoIds.IndexOf(null);
            if (video < 0)
            {
                video = _videoIds.Count;
                _videoIds.Add(videoId);
                _videoSequences.Add(new SequenceSet());
            }
            else
            {
                _videoIds[video] = videoId;
            }

            _videoSlots[videoId] = video;
        }

        return video;
    }

    private int ClassSetId(string[] classes)
    {
        var key = string.Join('\n', classes);
        if (!_classSetIds.TryGetValue(key, out var id))
        {
            id = _classSets.Count;
            _classSets.Add(classes);
            _classSetIds[key] = id;
        }

        return id;
    }

    private void CheckLength(float[] vector)
    {
        if (vector.Length != dimensions)
        {
            throw new ArgumentException($"Expected a vector of {dimensions} dimensions, got {vector.Length}.", nameof(vector));
        }
    }

    /// <summary>24 bytes per frame: what the scan reads.</summary>
    private readonly record struct FrameSlot(int Video, int Sequence, double Timestamp, int CaptionRow, int ClassSet);

    /// <summary>The best few frames of one chunk of the frame list, and how many of them pass for certain.</summary>
    private sealed record FrameScanPartial(int Total, PriorityQueue<int, (float Score, int Slot)> Best);

    /// <summary>
    /// What pass 2 of <see cref="Candidates"/> does with one chunk of frames. Reads the index and
    /// the caption scores only; counts undecided frames per caption with an atomic add (they are
    /// few: those within the int8 error bound of the threshold).
    /// </summary>
    private sealed class FrameScan(
        FrameIndex index, FrameSearch search, int keep, float[] setScores, bool[] setWanted, float[] captionScores, float[] bounds, int[] undecided,
        ulong[] reaching)
    {
        public FrameScanPartial Run(int from, int to)
        {
            var best = new PriorityQueue<int, (float Score, int Slot)>(keep + 1, new WorstFirst(index));
            var total = 0;
            var threshold = search.Threshold;
            var (start, end) = (search.StartTime ?? double.NegativeInfinity, search.EndTime ?? double.PositiveInfinity);

            // Per class set: left out by the object filter, or its class alone reaching the threshold
            // (clamp(max(a, b)) ≥ t exactly when clamp(a) ≥ t or clamp(b) ≥ t).
            var setReaches = new bool[setScores.Length];
            for (var s = 0; s < setScores.Length; s++)
            {
                setReaches[s] = Math.Clamp(setScores[s], 0, 1) >= threshold;
            }

            var frames = CollectionsMarshal.AsSpan(index._frames)[from..to];
            for (var i = 0; i < frames.Length; i++)
            {
                ref readonly var frame = ref frames[i];

                // Most frames stop here, on one bit of a 31 KiB table: neither their caption nor their class can reach the threshold.
                if ((!setReaches[frame.ClassSet] && (reaching[frame.CaptionRow >> 6] & (1UL << (frame.CaptionRow & 63))) == 0)
                    || !setWanted[frame.ClassSet] || frame.Timestamp < start || frame.Timestamp > end)
                {
                    continue;
                }

                var (caption, bound, classScore) = (captionScores[frame.CaptionRow], bounds[frame.CaptionRow], setScores[frame.ClassSet]);
                if (Math.Clamp(Math.Max(caption + bound, classScore), 0, 1) < threshold)
                {
                    continue;
                }

                if (Math.Clamp(Math.Max(caption - bound, classScore), 0, 1) >= threshold)
                {
                    total++;
                }
                else
                {
                    // Its class does not reach the threshold: its caption's float32 score decides.
                    Interlocked.Increment(ref undecided[frame.CaptionRow]);
                }

                var score = Math.Clamp(Math.Max(caption, classScore), 0, 1);
                var slot = from + i;
                if (best.Count < keep)
                {
                    best.Enqueue(slot, (score, slot));
                }
                else
                {
                    best.EnqueueDequeue(slot, (score, slot));
                }
            }

            return new FrameScanPartial(total, best);
        }
    }

    /// <summary>Heap order: the lowest score, then the highest frame id, leaves first (ties go to the lower frame id, as in API.md's order).</summary>
    private sealed class WorstFirst(FrameIndex index) : IComparer<(float Score, int Slot)>
    {
        public int Compare((float Score, int Slot) x, (float Score, int Slot) y)
        {
            if (x.Score != y.Score)
            {
                return x.Score.CompareTo(y.Score);
            }

            var (a, b) = (index._frames[x.Slot], index._frames[y.Slot]);
            var byVideo = string.CompareOrdinal(index._videoIds[b.Video], index._videoIds[a.Video]);
            if (byVideo != 0 || a.Sequence == b.Sequence)
            {
                return byVideo;
            }

            // Below a million, the zero-padded ids sort as the numbers do.
            return a.Sequence < 1_000_000 && b.Sequence < 1_000_000
                ? b.Sequence.CompareTo(a.Sequence)
                : string.CompareOrdinal(index.FrameIdOf(b), index.FrameIdOf(a));
        }
    }
}

/// <summary>A frame that may be among the best: its int8 score, and the exact score of its best object class (0 without).</summary>
public sealed record FrameCandidate(string FrameId, string VideoId, float ApproximateScore, float ClassScore);

/// <summary>
/// How many frames pass for certain, the best of those that may, best first, and the captions
/// whose frames only their float32 score can decide.
/// </summary>
public sealed record FrameCandidates(int TotalMatches, IReadOnlyList<FrameCandidate> Ranked, IReadOnlyList<UndecidedCaption> Undecided)
{
    /// <summary>How long scoring the distinct captions took (for the search's Debug log).</summary>
    public TimeSpan CaptionsScan { get; init; }

    /// <summary>How long scanning the frames and picking the best took.</summary>
    public TimeSpan FramesScan { get; init; }
}

/// <summary>A caption (by its SHA-256) whose int8 score is within its error bound of the threshold, and how many matching-if-above frames carry it.</summary>
public sealed record UndecidedCaption(byte[] Hash, float ApproximateScore, int Frames);
