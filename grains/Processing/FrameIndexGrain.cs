using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Surveillance.Telemetry;
using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>
/// A project's search index. On activation it loads the project's indexed frames from
/// <c>video_frames</c> (without embeddings; each row's seal verified: altered rows are left out and
/// audited) and one embedding per distinct caption from <c>caption_embeddings</c>, then takes in
/// whatever is stored but not indexed yet. A search picks candidates from the int8 index, then
/// reads those rows back with the float32 embedding of their caption: hits are served from rows
/// whose seal holds, scored exactly. Reentrant so that searches are answered while a batch is
/// being embedded; every change to the in-memory index happens between awaits.
/// </summary>
[Reentrant]
public sealed class FrameIndexGrain(
    FrameStore store,
    FrameSeal seal,
    ITextEmbedder embedder,
    IIntegrityFailureAudit integrity,
    SearchIndexSizes indexSizes,
    ILogger<FrameIndexGrain> logger) : Grain, IFrameIndexGrain
{
    private const int PageSize = 5000;
    private const int EmbeddingBatch = 32;
    private readonly FrameIndex _index = new(embedder.Dimensions);
    private readonly Dictionary<string, string> _filenames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rejected = new(StringComparer.Ordinal);
    private Task _indexing = Task.CompletedTask;
    private bool _pendingAgain;
    private IDisposable? _sizeGauge;

    private string ProjectId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var after = "";
        IReadOnlyList<StoredFrame> page;
        do
        {
            page = await store.ReadProjectAsync(ProjectId, indexed: true, after, PageSize, cancellationToken);
            await AddAsync(page, cancellationToken);
            after = page.Count > 0 ? page[^1].FrameId : after;
        }
        while (page.Count == PageSize);

        _index.TrimExcess();
        logger.LogInformation("Search index of project {ProjectId} loaded {Frames} frames, {Captions} distinct captions, {Bytes} bytes",
            ProjectId, _index.Count, _index.DistinctCaptions, _index.MemoryBytes);
        _sizeGauge = indexSizes.Track(() => _index.Count);
        StartIndexing();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _sizeGauge?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task<FrameSearchPage> SearchAsync(FrameSearch search)
    {
        var candidates = _index.Candidates(search, FrameIndex.ExtraCandidates(search.Limit));
        if (candidates.Ranked.Count == 0)
        {
            return new FrameSearchPage(candidates.TotalMatches, []);
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

        var hits = new List<FrameHit>(search.Limit);
        foreach (var (score, frame) in FrameIndex.Rescore(search, opened))
        {
            hits.Add(new FrameHit(frame.FrameId, frame.VideoId, await FilenameAsync(frame.VideoId), frame.ProjectId,
                frame.Timestamp, Math.Round(score, 4), frame.Caption, frame.DetectedObjects));
        }

        return new FrameSearchPage(candidates.TotalMatches, hits);
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
        return Task.CompletedTask;
    }

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
        var opened = new List<(FrameInfo Frame, int Sequence)>(frames.Count);
        foreach (var stored in frames)
        {
            if (seal.Open(stored) is { } frame && frame.ProjectId == ProjectId)
            {
                opened.Add((frame, stored.Sequence));
            }
            else
            {
                await RejectAsync(stored);
            }
        }

        await EmbedNewClassesAsync(opened.Select(o => o.Frame));
        var vectors = await NewCaptionVectorsAsync(opened.Select(o => o.Frame.Caption), cancellationToken);
        var added = new List<string>(opened.Count);
        foreach (var (frame, sequence) in opened)
        {
            // A caption released by a deletion while the vectors were read is taken in on the next pass.
            var known = _index.HasCaption(frame.Caption);
            if (known || vectors.ContainsKey(frame.Caption))
            {
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
