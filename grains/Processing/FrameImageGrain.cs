using Orleans.Concurrency;

namespace Surveillance.Processing;

/// <summary>A stateless worker: every silo decodes with its own <see cref="FrameImages"/>.</summary>
[StatelessWorker]
public sealed class FrameImageGrain(FrameImages images) : Grain, IFrameImageGrain
{
    public Task<byte[]> RenderAsync(FrameImageRequest request) => images.RenderAsync(request);
}
