namespace Surveillance.Processing;

/// <summary>
/// Counts what the stored results of some videos hold (analytics): frames and detected objects per
/// class, from rows whose integrity seal holds. A stateless worker; the caller has checked access.
/// </summary>
[Alias("surveillance.IDetectionTallyGrain")]
public interface IDetectionTallyGrain : IGrainWithIntegerKey
{
    [Alias("TallyAsync")] Task<List<VideoDetections>> TallyAsync(List<string> videoIds);
}

/// <summary>One video's stored frames and its detected objects by class.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.VideoDetections")]
public sealed record VideoDetections(
    [property: Id(0)] string VideoId,
    [property: Id(1)] int Frames,
    [property: Id(2)] Dictionary<string, int> Objects);
