namespace Surveillance.Processing;

/// <summary>
/// One row of <c>video_frames</c>: a frame as stored, its objects in their canonical JSON, and the
/// seal (HMAC) over all of it. <see cref="Embedding"/> is filled in when the frame is indexed.
/// </summary>
public sealed record StoredFrame(
    string FrameId,
    string VideoId,
    string ProjectId,
    int Sequence,
    double Timestamp,
    string Caption,
    string ObjectsJson,
    string ModelVersion,
    DateTimeOffset CreatedAt,
    byte[] Seal,
    float[]? Embedding = null);
