using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Concurrency;
using Surveillance.Telemetry;
using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>
/// A project's search index. On activation it opens the project's snapshot
/// (<see cref="FrameIndexSnapshots"/>, MAC verified) and takes from it every video whose indexed
/// rows still have the fingerprint the snapshot recorded (one aggregate query); the other videos'
/// indexed frames are read from <c>video_frames</c> (without embeddings; each row's seal verified:
/// altered rows are left out and audited) with one embedding per distinct caption from
/// <c>caption_embeddings</c>; then it takes in whatever is stored but not indexed yet. A snapshot
/// is written again a few seconds after the index changed and settled, and on deactivation. A
/// search picks candidates from the int8 index, then reads those rows back with the float32
/// embedding of their caption: hits are served from rows whose seal holds, scored exactly.
/// Reentrant so that searches are answered while a batch is being embedded; every change to the
/// in-memory index happens between awaits.
/// </summary>
[Reentrant]
public sealed class FrameIndexGrain(
    FrameStore store,
    FrameIndexSnapshots snapshots,
    FrameSeal seal,
    ITextEmbedder embedder,
    IIntegrityFailureAudit integrity,
    SearchIndexSizes indexSizes,
    ILogger<FrameIndexGrain> logger) : Grain, IFrameIndexGrain
{
    private const int PageSize = 5000;
    private const int EmbeddingBatch = 32;
    private const int VideosPerRead = 200;

    /// <summary>
    /// At most this many captions near the threshold are decided on their float32 vectors per search
    /// (~6 MB read); the rest, if ever, on their int8 score. Bounds the work a low threshold can cause.
    /// </summary>
    private const int MaxExactCaptions = 4096;

    /// <summary>How long after the index last changed its snapshot is written: batches of results arrive in bursts.</summary>
    private static readonly TimeSpan SnapshotDelay = TimeSpan.FromSeconds(10);

    private readonly VideoFingerprints _fingerprints = new();
    private readonly string _model = embedder.GetType().FullName ?? "embedder";
    private readonly Dictionary<string, string> _filenames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rejected = new(StringComparer.Ordinal);
    private Task _indexing = Task.CompletedTask;
    private bool _pendingAgain;
    private IDisposable? _sizeGauge;
    private FrameIndex _index = new(embedder.Dimensions);
    private IGrainTimer? _snapshotTimer;
    private bool _snapshotStale;
    private int _snapshotFrames;

    private string ProjectId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var stored = await store.ReadIndexedFingerprintsAsync(ProjectId, cancellationToken);
        await OpenSnapshotAsync(stored, cancellationToken);
        var fromRows = stored.Keys.Where(v => !_fingerprints.Holds(v)).ToList();
        if (fromRows.Count == stored.Count)
        {
            await AddStoredAsync(after => store.ReadProjectAsync(ProjectId, indexed: true, after, PageSize, cancellationToken), cancellationToken);
        }
        else
        {
            foreach (var videos in fromRows.Chunk(VideosPerRead))
            {
                await AddStoredAsync(after => store.ReadIndexedOfVideosAsync(ProjectId, videos, after, PageSize, cancellationToken), cancellationToken);
            }
        }

        _index.TrimExcess();
        if (fromRows.Count > 0)
        {
            SnapshotChanged();
        }

        logger.LogInformation(
            "Search index of project {ProjectId} loaded in {Milliseconds} ms: {Frames} frames ({SnapshotFrames} from its snapshot, {Videos} videos from rows), {Captions} distinct captions, {Bytes} bytes",
            ProjectId, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds, _index.Count, _snapshotFrames, fromRows.Count, _index.DistinctCaptions, _index.MemoryBytes);
        _sizeGauge = indexSizes.Track(() => _index.Count);
        StartIndexing();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _sizeGauge?.Dispose();
        _snapshotTimer?.Dispose();
        if (_snapshotStale && _indexing.IsCompleted)
        {
            await WriteSnapshotAsync(cancellationToken);
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task<FrameSearchPage> SearchAsync(FrameSearch search)
    {
        var started = Stopwatch.GetTimestamp();
        var candidates = _index.Candidates(search, FrameIndex.ExtraCandidates(search.Limit));
        var page = await PageAsync(search, candidates);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            // Where a search's time goes (issue 15 §4): the index's two passes, then PostgreSQL and the rescoring.
            logger.LogDebug("Search of project {ProjectId}: {Milliseconds:F1} ms ({Frames} frames, {Captions} captions: caption scan {CaptionsMs:F1} ms, frame pass {FramesMs:F1} ms), {Total} matches",
                ProjectId, Stopwatch.GetElapsedTime(started).TotalMilliseconds, _index.Count, _index.DistinctCaptions,
                candidates.CaptionsScan.TotalMilliseconds, candidates.FramesScan.TotalMilliseconds, page.TotalMatches);
        }

        return page;
    }

    /// <summary>The candidates' rows read back, seals checked, scored exactly; the exact total.</summary>
    private async Task<FrameSearchPage> PageAsync(FrameSearch search, FrameCandidates candidates)
    {
        var undecided = candidates.Undecided
            .OrderBy(c => Math.Abs(c.ApproximateScore - search.Threshold))
            .Take(MaxExactCaptions)
            .Select(c => c.Hash)
            .ToList();
        var exactVectors = store.ReadCaptionEmbeddingsAsync(undecided);
        if (candidates.Ranked.Count == 0)
        {
            return new FrameSearchPage(FrameIndex.ExactTotal(search, candidates, await exactVectors), []);
        }

        var rows = (await store.ReadWithEmbeddingsAsync(candidates.Ranked.Select(c => c.FrameId).ToList()))
            .ToDictionary(r => r.FrameId, StringComparer.Ordinal);
        var opened = new List<(FrameCandidate, FrameInfo, float[]?)>(rows.Count);
        foreach (var candidate in candidates.Ranked)
        {
            // A candidate whose row is gone was deleted since (its video's ForgetVideo is on its way).
            if (!rows.TryGetValue(candidate.FrameId, out var row))
            {
                continue;
            }

            if (seal.Open(row) is { } frame && frame.ProjectId == ProjectId)
            {
                opened.Add((candidate, frame, row.Embedding));
            }
            else
            {
                await RejectAsync(row);
            }
        }

        await RepairEmbeddingsAsync(opened);
        var hits = new List<FrameHit>(search.Limit);
        foreach (var (score, frame) in FrameIndex.Rescore(search, opened))
        {
            hits.Add(new FrameHit(frame.FrameId, frame.VideoId, await FilenameAsync(frame.VideoId), frame.ProjectId,
                frame.Timestamp, Math.Round(score, 4), frame.Caption, frame.DetectedObjects));
        }

        return new FrameSearchPage(FrameIndex.ExactTotal(search, candidates, await exactVectors), hits);
    }

    public Task IndexPendingAsync()
    {
        StartIndexing();
        return Task.CompletedTask;
    }

    public Task ForgetVideoAsync(string videoId)
    {
        _index.RemoveVideo(videoId);
        _filenames.Remove(videoId);
        _fingerprints.Forget(videoId);

        // The snapshot is rewritten soon, so that a deleted video's frames do not stay in it.
        SnapshotChanged();
        return Task.CompletedTask;
    }

    public Task<FrameIndexStatus> GetStatusAsync() =>
        Task.FromResult(new FrameIndexStatus(_index.Count, !_indexing.IsCompleted, _index.DistinctCaptions, _index.MemoryBytes, _snapshotFrames));

    /// <summary>One indexing pass at a time; a request during a pass makes it run once more.</summary>
    private void StartIndexing()
    {
        if (!_indexing.IsCompleted)
        {
            _pendingAgain = true;
            return;
        }

        _indexing = IndexPendingFramesAsync();
    }

    private async Task IndexPendingFramesAsync()
    {
        do
        {
            _pendingAgain = false;
            try
            {
                var after = "";
                IReadOnlyList<StoredFrame> page;
                do
                {
                    page = await store.ReadProjectAsync(ProjectId, indexed: false, after, PageSize);
                    after = page.Count > 0 ? page[^1].FrameId : after;
                    var fresh = page.Where(f => !_rejected.Contains(f.FrameId)).ToList();
                    var added = await AddAsync(fresh, CancellationToken.None);
                    await store.MarkIndexedAsync(added);
                    if (added.Count > 0)
                    {
                        SnapshotChanged();
                    }
                }
                while (page.Count == PageSize);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The frames stay stored, not indexed; the next pass (next results, or the next
                // activation) picks them up again.
                logger.LogError(exception, "Indexing frames of project {ProjectId} failed; will retry on the next pass", ProjectId);
                return;
            }
        }
        while (_pendingAgain);
    }

    /// <summary>Adds the frames whose seal holds, with their captions' embeddings; returns the ids of those added.</summary>
    private async Task<List<string>> AddAsync(IReadOnlyList<StoredFrame> frames, CancellationToken cancellationToken)
    {
        // Each seal is checked (and each row's objects parsed) once.
        var opened = new List<(FrameInfo Frame, int Sequence, long Tag)>(frames.Count);
        foreach (var stored in frames)
        {
            if (seal.Open(stored) is { } frame && frame.ProjectId == ProjectId)
            {
                opened.Add((frame, stored.Sequence, VideoFingerprint.Tag(stored)));
            }
            else
            {
                await RejectAsync(stored);
            }
        }

        await EmbedNewClassesAsync(opened.Select(o => o.Frame));
        var vectors = await NewCaptionVectorsAsync(opened.Select(o => o.Frame.Caption), cancellationToken);
        var added = new List<string>(opened.Count);
        foreach (var (frame, sequence, tag) in opened)
        {
            // A caption released by a deletion while the vectors were read is taken in on the next pass.
            var known = _index.HasCaption(frame.Caption);
            if (known || vectors.ContainsKey(frame.Caption))
            {
                _fingerprints.Added(frame.VideoId, tag, replaced: _index.Contains(frame.VideoId, sequence));
                _index.Add(frame, sequence, known ? null : vectors[frame.Caption]);
                added.Add(frame.FrameId);
            }
        }

        return added;
    }

    /// <summary>
    /// The embeddings of captions the index does not hold yet: stored ones from
    /// <c>caption_embeddings</c>, the others computed now and stored.
    /// </summary>
    private async Task<Dictionary<string, float[]>> NewCaptionVectorsAsync(IEnumerable<string> captions, CancellationToken cancellationToken)
    {
        var fresh = captions.Distinct(StringComparer.Ordinal).Where(c => !_index.HasCaption(c)).ToList();
        var hashes = fresh.Select(FrameIndex.CaptionHash).ToList();
        var stored = await store.ReadCaptionEmbeddingsAsync(hashes, cancellationToken);
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var missing = new List<int>();
        for (var i = 0; i < fresh.Count; i++)
        {
            if (stored.TryGetValue(Convert.ToHexString(hashes[i]), out var vector) && FrameIndex.IsUsable(vector, embedder.Dimensions))
            {
                vectors[fresh[i]] = vector;
            }
            else
            {
                missing.Add(i);
            }
        }

        // In small batches: the silo's model runs one batch at a time, and a search's query waits
        // for the batch in progress — thousands of new captions at once would time it out.
        foreach (var batch in missing.Chunk(EmbeddingBatch))
        {
            var embedded = await embedder.EmbedAsync(batch.Select(i => fresh[i]).ToList(), cancellationToken);
            for (var j = 0; j < batch.Length; j++)
            {
                vectors[fresh[batch[j]]] = embedded[j];
            }

            await store.SaveCaptionEmbeddingsAsync(batch.Select((i, j) => (hashes[i], embedded[j])).ToList(), cancellationToken);
        }

        return vectors;
    }

    /// <summary>
    /// Takes in the project's videos whose rows still match the snapshot's fingerprints. A snapshot
    /// that fails its MAC is an integrity failure (audited, then ignored: every video is read from
    /// its sealed rows); one that cannot be read is ignored the same way.
    /// </summary>
    private async Task OpenSnapshotAsync(Dictionary<string, VideoFingerprint> stored, CancellationToken cancellationToken)
    {
        byte[]? snapshot;
        try
        {
            snapshot = await snapshots.ReadAsync(ProjectId, cancellationToken);
        }
        catch (NpgsqlException exception)
        {
            logger.LogWarning(exception, "The search index snapshot of project {ProjectId} could not be read; loading from rows", ProjectId);
            return;
        }

        if (snapshot is null)
        {
            return;
        }

        var index = new FrameIndex(embedder.Dimensions);
        SnapshotOpening opening;
        Dictionary<string, VideoFingerprint> taken;
        try
        {
            (opening, taken) = snapshots.Decode(snapshot, ProjectId, _model, index, embedder.Dimensions,
                (video, fingerprint) => stored.TryGetValue(video, out var now) && now == fingerprint);
        }
        catch (Exception exception) when (exception is InvalidDataException or EndOfStreamException or ArgumentException or IOException)
        {
            // Authentic but unreadable: written by a defective version. The index starts again from rows.
            logger.LogError(exception, "The search index snapshot of project {ProjectId} is malformed; loading from rows", ProjectId);
            return;
        }

        if (opening == SnapshotOpening.Forged)
        {
            logger.LogCritical("The search index snapshot of project {ProjectId} failed its integrity check; loading from rows", ProjectId);
            await integrity.RecordAsync("", ProjectId, "search index snapshot", cancellationToken);
            return;
        }

        _index = index;
        foreach (var (video, fingerprint) in taken)
        {
            _fingerprints.Loaded(video, fingerprint);
        }

        _snapshotFrames = _index.Count;
    }

    private async Task AddStoredAsync(Func<string, Task<IReadOnlyList<StoredFrame>>> readPage, CancellationToken cancellationToken)
    {
        var after = "";
        IReadOnlyList<StoredFrame> page;
        do
        {
            page = await readPage(after);
            await AddAsync(page, cancellationToken);
            after = page.Count > 0 ? page[^1].FrameId : after;
        }
        while (page.Count == PageSize);
    }

    /// <summary>The snapshot no longer matches the index: written again once the index has been quiet for <see cref="SnapshotDelay"/>.</summary>
    private void SnapshotChanged()
    {
        _snapshotStale = true;
        _snapshotTimer?.Dispose();
        _snapshotTimer = this.RegisterGrainTimer(
            WriteSnapshotAsync, new GrainTimerCreationOptions(SnapshotDelay, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    /// <summary>
    /// Writes the snapshot of every video whose fingerprint is known (one replaced by a retried
    /// submission is left to its rows). Captured in one turn, written after: what is written is
    /// one state of the index, with the fingerprints of that state.
    /// </summary>
    private async Task WriteSnapshotAsync(CancellationToken cancellationToken)
    {
        if (!_indexing.IsCompleted)
        {
            SnapshotChanged();
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var snapshot = snapshots.Encode(ProjectId, _model, _index, embedder.Dimensions, _fingerprints.Known());
        _snapshotStale = false;
        try
        {
            await snapshots.WriteAsync(ProjectId, snapshot, cancellationToken);
            logger.LogInformation("Search index snapshot of project {ProjectId} written: {Bytes} bytes in {Milliseconds} ms",
                ProjectId, snapshot.Length, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // The rows stay the truth: the next activation reads from them what the old snapshot lacks.
            _snapshotStale = true;
            logger.LogWarning(exception, "Writing the search index snapshot of project {ProjectId} failed", ProjectId);
        }
    }

    /// <summary>
    /// Embeddings are derived data: a candidate whose stored caption embedding is missing or unusable
    /// (corrupted, or written outside the API) has it computed again and stored, so that it is scored
    /// exactly rather than on its int8 vector.
    /// </summary>
    private async Task RepairEmbeddingsAsync(List<(FrameCandidate Candidate, FrameInfo Frame, float[]? Vector)> opened)
    {
        var broken = opened.Where(o => !FrameIndex.IsUsable(o.Vector, embedder.Dimensions)).Select(o => o.Frame.Caption).Distinct(StringComparer.Ordinal).ToList();
        if (broken.Count == 0)
        {
            return;
        }

        // A caption the model gives no unit vector (blank) keeps its int8 score, and is not stored.
        var vectors = await embedder.EmbedAsync(broken);
        var repaired = broken.Select((c, i) => (Caption: c, Vector: vectors[i]))
            .Where(r => FrameIndex.IsUsable(r.Vector, embedder.Dimensions))
            .ToDictionary(r => r.Caption, r => r.Vector, StringComparer.Ordinal);
        await store.SaveCaptionEmbeddingsAsync(repaired.Select(r => (FrameIndex.CaptionHash(r.Key), r.Value)).ToList());
        for (var i = 0; i < opened.Count; i++)
        {
            if (!FrameIndex.IsUsable(opened[i].Vector, embedder.Dimensions) && repaired.TryGetValue(opened[i].Frame.Caption, out var vector))
            {
                opened[i] = opened[i] with { Vector = vector };
            }
        }
    }

    private async Task EmbedNewClassesAsync(IEnumerable<FrameInfo> frames)
    {
        var classes = frames
            .SelectMany(f => f.DetectedObjects)
            .Select(o => FrameIndex.ClassKey(o.Class))
            .Distinct(StringComparer.Ordinal)
            .Where(c => !_index.HasClass(c))
            .ToList();
        var vectors = await embedder.EmbedAsync(classes);
        for (var i = 0; i < classes.Count; i++)
        {
            _index.AddClass(classes[i], vectors[i]);
        }
    }

    private async Task<string> FilenameAsync(string videoId)
    {
        if (!_filenames.TryGetValue(videoId, out var filename))
        {
            filename = (await GrainFactory.GetGrain<IVideoGrain>(videoId).GetAsync())?.Filename ?? "";
            _filenames[videoId] = filename;
        }

        return filename;
    }

    private async Task RejectAsync(StoredFrame stored)
    {
        if (_rejected.Add(stored.FrameId))
        {
            logger.LogCritical("Frame {FrameId} of project {ProjectId} failed its integrity check; it is not searchable", stored.FrameId, ProjectId);
            await integrity.RecordAsync(stored.VideoId, ProjectId, $"frame {stored.FrameId}");
        }
    }
}
