using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;
using Surveillance.Api.Edge;
using Surveillance.Api.Projects;
using Surveillance.Errors;
using Surveillance.Processing;
using Surveillance.Videos;

namespace Surveillance.Api.Processing;

/// <summary>
/// Pictures of stored footage (API.md "Videos"): <c>GET /surveillance/frame/{frame_id}</c> and
/// <c>GET /surveillance/videos/{video_id}/thumbnail</c>. Access is checked here exactly as for the
/// metadata; the silo that receives the call decodes through a seekable decrypted view, bounded.
/// </summary>
public static class FrameImageApi
{
    public const int MinWidth = 32;
    public const int MaxWidth = 1920;
    public const int ThumbnailWidth = 320;

    /// <summary>A frame's picture never changes while its video exists; private: it is footage.</summary>
    public const string CacheControl = "private, max-age=3600";

    public static RouteGroupBuilder MapFrameImageApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/surveillance").WithTags("Processing").RequireAuthorization();
        api.MapGet("/frame/{frameId}", GetFrameImageAsync).WithRateRule(RateRules.Frames).Produces(StatusCodes.Status200OK, contentType: "image/jpeg");
        api.MapGet("/videos/{videoId}/thumbnail", GetThumbnailAsync).Produces(StatusCodes.Status200OK, contentType: "image/jpeg");
        return api;
    }

    private static async Task<IResult> GetFrameImageAsync(string frameId, string? width, ClaimsPrincipal user, IGrainFactory grains, HttpContext http)
    {
        var requested = ParseWidth(width);
        var (video, frame) = await FrameAccess.ReadableFrameAsync(grains, user, frameId, http);
        var media = DecodableMedia(video);
        // A processor's timestamp may lie past the last picture: the last picture is what it saw.
        var last = Math.Max(0, media.DurationSeconds - (media.FrameRate > 0 ? 1 / media.FrameRate : 0.1));
        return await RenderAsync(http, grains, video, Math.Clamp(frame.Timestamp, 0, last), requested);
    }

    private static async Task<IResult> GetThumbnailAsync(string videoId, string? width, ClaimsPrincipal user, IGrainFactory grains, HttpContext http)
    {
        var requested = ParseWidth(width) ?? ThumbnailWidth;
        var (video, _) = await ProjectAccess.ReadableVideoAsync(grains, user, videoId);
        var media = DecodableMedia(video);
        return await RenderAsync(http, grains, video, media.DurationSeconds * 0.1, requested);
    }

    private static async Task<IResult> RenderAsync(HttpContext http, IGrainFactory grains, VideoInfo video, double timestamp, int? width)
    {
        var etag = ETagFor(video, timestamp, width);
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = CacheControl;
        if (http.Request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } tags && tags.Any(t => t.Tag == etag || t == EntityTagHeaderValue.Any))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var image = await grains.GetGrain<IFrameImageGrain>(0).RenderAsync(new FrameImageRequest(video.VideoId, video.ProjectId, timestamp, width));
        return TypedResults.Bytes(image, "image/jpeg");
    }

    /// <summary>Probed media, or 409: a video not probed yet, or that failed probing, has no pictures to show.</summary>
    private static MediaInfo DecodableMedia(VideoInfo video) =>
        video.Media is { } media && video.Status != VideoStatus.Failed
            ? media
            : throw DomainException.Conflict(video.Status == VideoStatus.Failed
                ? "The video cannot be decoded."
                : "The video has not been probed yet; retry when its job is awaiting results.");

    /// <summary><c>width</c>: digits only, 32–1920; absent means the default.</summary>
    private static int? ParseWidth(string? width)
    {
        if (width is null)
        {
            return null;
        }

        return int.TryParse(width, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= MinWidth and <= MaxWidth
            ? value
            : throw DomainException.Validation($"'width' must be a whole number from {MinWidth} to {MaxWidth}.");
    }

    /// <summary>The same picture of the same stored content has the same tag (the content's SHA-256 is in it).</summary>
    private static string ETagFor(VideoInfo video, double timestamp, int? width)
    {
        var identity = string.Create(CultureInfo.InvariantCulture, $"{video.VideoId}|{video.Sha256}|{Math.Round(timestamp * 1000)}|{width}");
        return $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32]}\"";
    }
}
