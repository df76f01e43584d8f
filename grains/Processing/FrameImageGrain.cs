using Orleans.Concurrency;
using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>
/// A stateless worker: every silo decodes with its own <see cref="FrameImages"/>. Reentrant, so
/// every call reaches the decoder's slot count at once and a flood is shed there with 503 instead
/// of queueing in front of the activation until Orleans' call timeout.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class FrameImageGrain(FrameImages images) : Grain, IFrameImageGrain
{
    public Task<byte[]> RenderAsync(FrameImageRequest request) =>
        images.RenderAsync(request, () => GrainFactory.GetGrain<IVideoGrain>(request.VideoId).GetContentKeyAsync());
}
