using Orleans.Concurrency;
using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>A stateless worker: every silo decodes with its own <see cref="FrameImages"/>.</summary>
[StatelessWorker]
public sealed class FrameImageGrain(FrameImages images) : Grain, IFrameImageGrain
{
    public Task<byte[]> RenderAsync(FrameImageRequest request) =>
        images.RenderAsync(request, () => GrainFactory.GetGrain<IVideoGrain>(request.VideoId).GetContentKeyAsync());
}
