namespace Surveillance.Processing;

/// <summary>
/// A search inside one project: the query's embedding and the filters of API.md. Times are
/// seconds into the video; <see cref="Objects"/> matches frames holding any of the classes.
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.FrameSearch")]
public sealed record FrameSearch(
    [property: Id(0)] float[] QueryVector,
    [property: Id(1)] int Limit,
    [property: Id(2)] double Threshold,
    [property: Id(3)] IReadOnlyList<string> Objects,
    [property: Id(4)] double? StartTime,
    [property: Id(5)] double? EndTime);

/// <summary>The best hits of one project, and how many frames passed the threshold and filters.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.FrameSearchPage")]
public sealed record FrameSearchPage(
    [property: Id(0)] int TotalMatches,
    [property: Id(1)] IReadOnlyList<FrameHit> Hits);

[GenerateSerializer, Immutable, Alias("surveillance.FrameHit")]
public sealed record FrameHit(
    [property: Id(0)] string FrameId,
    [property: Id(1)] string VideoId,
    [property: Id(2)] string VideoFilename,
    [property: Id(3)] string ProjectId,
    [property: Id(4)] double Timestamp,
    [property: Id(5)] double Score,
    [property: Id(6)] string Caption,
    [property: Id(7)] IReadOnlyList<DetectedObject> DetectedObjects);
