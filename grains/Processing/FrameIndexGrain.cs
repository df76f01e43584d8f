using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Surveillance.Telemetry;
using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>
/// A project's search index. On activation it loads the project's embedded frames from
/// <c>video_frames</c> (each row's seal verified: altered rows are left out and audited), then
/// embeds whatever is stored but not embedded yet. Reentrant so that searches are answered while
/// a batch is being embedded; every change to the in-memory index happens between awaits.
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
    private const int PageSize = 1000;
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
            await AddAsync(page, await VectorsOfAsync(page));
            after = page.Count > 0 ? page[^1].FrameId : after;
        }
        while (page.Count == PageSize);

        logger.LogInformation("Search index of project {ProjectId} loaded {Frames} frames", ProjectId, _index.Count);
        _sizeGauge = indexSizes.Track(() => _index.Count);
        StartIndexing();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _sizeGauge?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task<FrameSearchPage> SearchAsync(FrameSearch search) => Task.FromResult(_index.Search(search));

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

    public Task<FrameIndexStatus> GetStatusAsync() => Task.FromResult(new FrameIndexStatus(_index.Count, !_indexing.IsCompleted));

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
                    var fresh = page.Where(f => !_index.Contains(f.FrameId) && !_rejected.Contains(f.FrameId)).ToList();
                    var vectors = await embedder.EmbedAsync(fresh.Select(f => f.Caption).ToList());
                    var added = await AddAsync(fresh, vectors);
                    await store.SaveEmbeddingsAsync(added.Select(i => (fresh[i].FrameId, vectors[i])).ToList());
                }
                while (page.Count == PageSize);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The frames stay stored without an embedding; the next pass (next results, or the
                // next activation) picks them up again.
                logger.LogError(exception, "Indexing frames of project {ProjectId} failed; will retry on the next pass", ProjectId);
                return;
            }
        }
        while (_pendingAgain);
    }

    /// <summary>The stored embeddings; a caption whose stored embedding is unusable is embedded again.</summary>
    private async Task<float[][]> VectorsOfAsync(IReadOnlyList<StoredFrame> frames)
    {
        var vectors = new float[frames.Count][];
        var redo = new List<int>();
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].Embedding is { } stored && stored.Length == embedder.Dimensions)
            {
                vectors[i] = stored;
            }
            else
            {
                redo.Add(i);
            }
        }

        var embedded = await embedder.EmbedAsync(redo.Select(i => frames[i].Caption).ToList());
        for (var j = 0; j < redo.Count; j++)
        {
            vectors[redo[j]] = embedded[j];
        }

        return vectors;
    }

    /// <summary>Adds the frames whose seal holds; returns the positions of those added.</summary>
    private async Task<List<int>> AddAsync(IReadOnlyList<StoredFrame> frames, float[][] vectors)
    {
        // Each seal is checked (and each row's objects parsed) once.
        var opened = new List<(int Position, FrameInfo Frame)>(frames.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            if (seal.Open(frames[i]) is { } frame && frame.ProjectId == ProjectId)
            {
                opened.Add((i, frame));
            }
            else
            {
                await RejectAsync(frames[i]);
            }
        }

        await EmbedNewClassesAsync(opened.Select(o => o.Frame));
        foreach (var (position, frame) in opened)
        {
            if (!_filenames.TryGetValue(frame.VideoId, out var filename))
            {
                filename = (await GrainFactory.GetGrain<IVideoGrain>(frame.VideoId).GetAsync())?.Filename ?? "";
                _filenames[frame.VideoId] = filename;
            }

            _index.Add(frame, filename, vectors[position]);
        }

        return opened.Select(o => o.Position).ToList();
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

    private async Task RejectAsync(StoredFrame stored)
    {
        if (_rejected.Add(stored.FrameId))
        {
            logger.LogCritical("Frame {FrameId} of project {ProjectId} failed its integrity check; it is not searchable", stored.FrameId, ProjectId);
            await integrity.RecordAsync(stored.VideoId, ProjectId, $"frame {stored.FrameId}");
        }
    }
}
