using Orleans.Concurrency;

namespace Surveillance.Processing;

/// <summary>A stateless worker: the counting runs on the silo that receives the call.</summary>
[StatelessWorker]
public sealed class DetectionTallyGrain(DetectionTally tally) : Grain, IDetectionTallyGrain
{
    public Task<List<VideoDetections>> TallyAsync(List<string> videoIds) => tally.CountAsync(videoIds);
}
