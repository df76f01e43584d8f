namespace Surveillance.Videos;

/// <summary>A video's metadata as members may see it (never its key).</summary>
[GenerateSerializer, Immutable, Alias("surveillance.VideoInfo")]
public sealed record VideoInfo(
    [property: Id(0)] string VideoId,
    [property: Id(1)] string ProjectId,
    [property: Id(2)] string Filename,
    [property: Id(3)] string? Description,
    [property: Id(4)] long SizeBytes,
    [property: Id(5)] string Sha256,
    [property: Id(6)] string ContentType,
    [property: Id(7)] string Status,
    [property: Id(8)] string UploadedBy,
    [property: Id(9)] DateTimeOffset UploadedAt,
    [property: Id(10)] MediaInfo? Media,
    [property: Id(11)] int FrameCount,
    [property: Id(12)] DateTimeOffset? ProcessedAt);

/// <summary>What probing the stored video found.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.MediaInfo")]
public sealed record MediaInfo(
    [property: Id(0)] double DurationSeconds,
    [property: Id(1)] int Width,
    [property: Id(2)] int Height,
    [property: Id(3)] string Codec,
    [property: Id(4)] double FrameRate);

/// <summary>Job states of API.md.</summary>
public static class VideoStatus
{
    public const string Queued = "queued";
    public const string Processing = "processing";
    public const string AwaitingResults = "awaiting_results";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
