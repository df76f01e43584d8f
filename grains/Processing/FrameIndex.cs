using System.Numerics.Tensors;

namespace Surveillance.Processing;

/// <summary>
/// The in-memory half of a project's search index: one row of a contiguous matrix per frame (its
/// caption's unit embedding) and the embedding of every object class seen. A frame's score for a
/// query is the best cosine similarity of the query with its caption or with one of its object
/// classes, clamped to 0–1. A search is one pass over the matrix (about 384 multiply-adds per
/// frame), keeping the best <c>limit</c> in a heap. Not thread-safe: its grain serialises access.
/// </summary>
public sealed class FrameIndex(int dimensions)
{
    private readonly List<IndexedFrame> _frames = [];
    private readonly HashSet<string> _frameIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[]> _classVectors = new(StringComparer.Ordinal);
    private float[] _matrix = new float[dimensions * 64];

    public int Count => _frames.Count;

    public bool Contains(string frameId) => _frameIds.Contains(frameId);

    public bool HasClass(string classKey) => _classVectors.ContainsKey(classKey);

    /// <summary>The key a class is matched by: trimmed, lower-case.</summary>
    public static string ClassKey(string name) => name.Trim().ToLowerInvariant();

    public void AddClass(string classKey, float[] vector)
    {
        CheckLength(vector);
        _classVectors[classKey] = vector;
    }

    /// <summary>Adds a frame; its classes must have been added first. A frame id already present is ignored.</summary>
    public void Add(FrameInfo frame, string videoFilename, float[] captionVector)
    {
        CheckLength(captionVector);
        if (!_frameIds.Add(frame.FrameId))
        {
            return;
        }

        var classes = frame.DetectedObjects.Select(o => ClassKey(o.Class)).Distinct().ToArray();
        if (classes.FirstOrDefault(c => !_classVectors.ContainsKey(c)) is { } unknown)
        {
            _frameIds.Remove(frame.FrameId);
            throw new InvalidOperationException($"The class '{unknown}' has no embedding yet.");
        }

        if ((_frames.Count + 1) * dimensions > _matrix.Length)
        {
            Array.Resize(ref _matrix, _matrix.Length * 2);
        }

        captionVector.CopyTo(_matrix, _frames.Count * dimensions);
        _frames.Add(new IndexedFrame(frame, videoFilename, classes));
    }

    /// <summary>Drops every frame of a video, keeping the matrix contiguous.</summary>
    public void RemoveVideo(string videoId)
    {
        var kept = 0;
        for (var i = 0; i < _frames.Count; i++)
        {
            if (_frames[i].Frame.VideoId == videoId)
            {
                _frameIds.Remove(_frames[i].Frame.FrameId);
                continue;
            }

            if (kept != i)
            {
                _frames[kept] = _frames[i];
                Array.Copy(_matrix, i * dimensions, _matrix, kept * dimensions, dimensions);
            }

            kept++;
        }

        _frames.RemoveRange(kept, _frames.Count - kept);
    }

    public FrameSearchPage Search(FrameSearch search)
    {
        CheckLength(search.QueryVector);
        var classScores = _classVectors.ToDictionary(
            c => c.Key, c => TensorPrimitives.Dot<float>(search.QueryVector, c.Value), StringComparer.Ordinal);
        var query = search.QueryVector.AsSpan();
        var wanted = search.Objects.Select(ClassKey).ToHashSet(StringComparer.Ordinal);
        var best = new PriorityQueue<int, (double Score, string FrameId)>(search.Limit + 1, WorstFirst.Instance);
        var total = 0;
        for (var i = 0; i < _frames.Count; i++)
        {
            var entry = _frames[i];
            var frame = entry.Frame;
            if ((search.StartTime is { } start && frame.Timestamp < start)
                || (search.EndTime is { } end && frame.Timestamp > end)
                || (wanted.Count > 0 && !entry.Classes.Any(wanted.Contains)))
            {
                continue;
            }

            var score = TensorPrimitives.Dot(query, _matrix.AsSpan(i * dimensions, dimensions));
            foreach (var key in entry.Classes)
            {
                score = Math.Max(score, classScores[key]);
            }

            var clamped = Math.Clamp((double)score, 0, 1);
            if (clamped < search.Threshold)
            {
                continue;
            }

            total++;
            best.Enqueue(i, (clamped, frame.FrameId));
            if (best.Count > search.Limit)
            {
                best.Dequeue();
            }
        }

        var hits = new List<FrameHit>(best.Count);
        while (best.TryDequeue(out var index, out var rank))
        {
            var (frame, filename) = (_frames[index].Frame, _frames[index].VideoFilename);
            hits.Add(new FrameHit(frame.FrameId, frame.VideoId, filename, frame.ProjectId, frame.Timestamp,
                Math.Round(rank.Score, 4), frame.Caption, frame.DetectedObjects));
        }

        hits.Reverse();
        return new FrameSearchPage(total, hits);
    }

    private void CheckLength(float[] vector)
    {
        if (vector.Length != dimensions)
        {
            throw new ArgumentException($"Expected a vector of {dimensions} dimensions, got {vector.Length}.", nameof(vector));
        }
    }

    private sealed record IndexedFrame(FrameInfo Frame, string VideoFilename, string[] Classes);

    /// <summary>Heap order: the lowest score (then the highest frame id) leaves first.</summary>
    private sealed class WorstFirst : IComparer<(double Score, string FrameId)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((double Score, string FrameId) x, (double Score, string FrameId) y) =>
            x.Score != y.Score ? x.Score.CompareTo(y.Score) : string.CompareOrdinal(y.FrameId, x.FrameId);
    }
}
