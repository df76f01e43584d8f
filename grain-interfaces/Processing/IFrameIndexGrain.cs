using Orleans.Concurrency;

namespace Surveillance.Processing;

/// <summary>
/// One project's search index (key: project id): one int8 embedding per distinct caption, the
/// embeddings of its object classes and what the scan needs of every frame, in memory, rebuilt on
/// activation from the stored frames and the stored embedding of each distinct caption. A
/// search costs one call per readable project, not one per video.
/// </summary>
[Alias("surveillance.IFrameIndexGrain")]
public interface IFrameIndexGrain : IGrainWithStringKey
{
    [Alias("SearchAsync"), ReadOnly] Task<FrameSearchPage> SearchAsync(FrameSearch search);

    /// <summary>Embeds and adds the project's frames that are stored but not indexed yet.</summary>
    [Alias("IndexPendingAsync"), OneWay] Task IndexPendingAsync();

    /// <summary>Drops a deleted video's frames.</summary>
    [Alias("ForgetVideoAsync")] Task ForgetVideoAsync(string videoId);

    /// <summary>Frames searchable now, whether frames stored are still waiting to be indexed, and the index's size.</summary>
    [Alias("GetStatusAsync"), ReadOnly] Task<FrameIndexStatus> GetStatusAsync();
}

[GenerateSerializer, Immutable, Alias("surveillance.FrameIndexStatus")]
public sealed record FrameIndexStatus(
    [property: Id(0)] int IndexedFrames,
    [property: Id(1)] bool Indexing,
    [property: Id(2)] int DistinctCaptions = 0,
    [property: Id(3)] long MemoryBytes = 0,
    [property: Id(4)] int SnapshotFrames = 0);
