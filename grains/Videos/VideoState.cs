namespace Surveillance.Videos;

/// <summary>Durable state of <see cref="VideoGrain"/>. Never rename; never reuse an <c>[Id]</c>.</summary>
[GenerateSerializer, Alias("surveillance.VideoState")]
public sealed class VideoState
{
    [Id(0)] public string ProjectId { get; set; } = "";
    [Id(1)] public string Filename { get; set; } = "";
    [Id(2)] public string? Description { get; set; }
    [Id(3)] public long SizeBytes { get; set; }
    [Id(4)] public string Sha256 { get; set; } = "";
    [Id(5)] public string ContentType { get; set; } = "";
    [Id(6)] public string Status { get; set; } = VideoStatus.Queued;
    [Id(7)] public string UploadedBy { get; set; } = "";
    [Id(8)] public DateTimeOffset UploadedAt { get; set; }
    [Id(9)] public WrappedDataKey? Key { get; set; }
    [Id(10)] public string FileKeyId { get; set; } = "";
    [Id(11)] public MediaInfo? Media { get; set; }
    [Id(12)] public int FrameCount { get; set; }
    [Id(13)] public DateTimeOffset? ProcessedAt { get; set; }
    [Id(14)] public string? Error { get; set; }
    [Id(15)] public DateTimeOffset? ProbeStartedAt { get; set; }
    [Id(16)] public DateTimeOffset? ProbeFinishedAt { get; set; }
    [Id(17)] public int ProbeAttempts { get; set; }
    [Id(18)] public DateTimeOffset? UpdatedAt { get; set; }
    [Id(19)] public string? ModelVersion { get; set; }

    /// <summary>Detected objects by class in the stored results; null for a video whose results predate the tally.</summary>
    [Id(20)] public Dictionary<string, int>? DetectionCounts { get; set; }

    /// <summary>
    /// A key is issued and the upload not yet recorded: the video does not exist yet. False in
    /// every state stored before uploads were keyed this way, which are all recorded videos.
    /// </summary>
    [Id(21)] public bool UploadPending { get; set; }

    public VideoInfo ToInfo(string videoId) => new(
        videoId, ProjectId, Filename, Description, SizeBytes, Sha256, ContentType, Status,
        UploadedBy, UploadedAt, Media, FrameCount, ProcessedAt);
}
