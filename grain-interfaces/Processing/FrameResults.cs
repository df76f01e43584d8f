namespace Surveillance.Processing;

/// <summary>What a processor saw in a video: one entry per analysed frame.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.ResultsSubmission")]
public sealed record ResultsSubmission(
    [property: Id(0)] string ModelVersion,
    [property: Id(1)] IReadOnlyList<FrameResult> Frames);

/// <summary>One analysed frame: its time in the video (seconds), a caption and detected objects.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.FrameResult")]
public sealed record FrameResult(
    [property: Id(0)] double Timestamp,
    [property: Id(1)] string Caption,
    [property: Id(2)] IReadOnlyList<DetectedObject> DetectedObjects);

/// <summary>A detected object: class, confidence 0–1 and its box <c>[x, y, w, h]</c> in pixels.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.DetectedObject")]
public sealed record DetectedObject(
    [property: Id(0)] string Class,
    [property: Id(1)] double Confidence,
    [property: Id(2)] IReadOnlyList<double> Bbox);

/// <summary>What storing a submission did.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.ResultsReceipt")]
public sealed record ResultsReceipt(
    [property: Id(0)] string VideoId,
    [property: Id(1)] string Status,
    [property: Id(2)] int FramesStored,
    [property: Id(3)] int FrameCount,
    [property: Id(4)] IReadOnlyList<string> FrameIds);
