using Orleans.Concurrency;

namespace Surveillance.Processing;

/// <summary>
/// One project's search index (key: project id): the embedding of every frame's caption and its
/// object classes, in memory, persisted with the frames and rebuilt from them on activation. A
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

    /// <summary>Frames searchable now, and frames stored but still waiting to be embedded.</summary>
    [Alias("GetStatusAsync"), ReadOnly] Task<FrameIndexStatus> GetStatusAsync();
}

[GenerateSerializer, Immutable, Alias("surveillance.FrameIndexStatus")]
public sealed record FrameIndexStatus(
    [property: Id(0)] int IndexedFrames,
    [property: Id(1)] bool Indexing);
