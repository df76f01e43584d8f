namespace Surveillance.Processing;

/// <summary>One video's stored frames and its detected objects by class (analytics).</summary>
[GenerateSerializer, Immutable, Alias("surveillance.VideoDetections")]
public sealed record VideoDetections(
    [property: Id(0)] string VideoId,
    [property: Id(1)] int Frames,
    [property: Id(2)] Dictionary<string, int> Objects);
