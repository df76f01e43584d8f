using Surveillance.Videos;

namespace Surveillance.Api.Videos;

public sealed record MediaResponse(double DurationSeconds, int Width, int Height, string Codec, double FrameRate);

public sealed record VideoResponse(
    string VideoId,
    string ProjectId,
    string Filename,
    string? Description,
    long SizeBytes,
    string Sha256,
    string ContentType,
    string Status,
    string UploadedBy,
    DateTimeOffset UploadedAt,
    MediaResponse? Media,
    int FrameCount,
    DateTimeOffset? ProcessedAt)
{
    public static VideoResponse From(VideoInfo v) => new(
        v.VideoId, v.ProjectId, v.Filename, v.Description, v.SizeBytes, v.Sha256, v.ContentType, v.Status,
        v.UploadedBy, v.UploadedAt,
        v.Media is { } m ? new MediaResponse(m.DurationSeconds, m.Width, m.Height, m.Codec, m.FrameRate) : null,
        v.FrameCount, v.ProcessedAt);
}

public sealed record VideoListResponse(IReadOnlyList<VideoResponse> Videos);

public sealed record UploadReceipt(
    string Message,
    string VideoId,
    string JobId,
    string ProjectId,
    string Filename,
    long SizeBytes,
    string Sha256,
    string Status)
{
    public static UploadReceipt From(VideoInfo video) => new(
        "Video uploaded successfully", video.VideoId, video.VideoId, video.ProjectId, video.Filename, video.SizeBytes, video.Sha256, video.Status);
}
