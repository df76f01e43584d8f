namespace Surveillance.Processing;

/// <summary>A stored frame whose integrity seal has been verified.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.FrameInfo")]
public sealed record FrameInfo(
    [property: Id(0)] string FrameId,
    [property: Id(1)] string VideoId,
    [property: Id(2)] string ProjectId,
    [property: Id(3)] double Timestamp,
    [property: Id(4)] string Caption,
    [property: Id(5)] IReadOnlyList<DetectedObject> DetectedObjects,
    [property: Id(6)] string ModelVersion,
    [property: Id(7)] DateTimeOffset CreatedAt);

/// <summary>
/// The answer to a frame lookup: the frame, or that none exists, or that the stored row failed its
/// integrity check (then <see cref="Frame"/> is null: altered results are never served).
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.FrameLookup")]
public sealed record FrameLookup(
    [property: Id(0)] FrameInfo? Frame,
    [property: Id(1)] bool IntegrityFailed)
{
    public static readonly FrameLookup Missing = new(null, false);
    public static readonly FrameLookup Tampered = new(null, true);
}
