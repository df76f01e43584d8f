using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Surveillance.Api.Audit;
using Surveillance.Api.Edge;
using Surveillance.Api.Http;
using Surveillance.Api.Projects;
using Surveillance.Api.Telemetry;
using Surveillance.Identity;
using Surveillance.Storage;
using Surveillance.Videos;
using Surveillance.Audit;

namespace Surveillance.Api.Videos;

/// <summary><c>/surveillance/upload</c> and <c>/surveillance/videos</c>: footage in, footage out.</summary>
public static class VideosApi
{
    public static RouteGroupBuilder MapVideosApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/surveillance").WithTags("Videos").RequireAuthorization();
        api.MapPost("/upload", UploadAsync).DisableAntiforgery().Accepts<IFormFile>("multipart/form-data")
            .WithRateRule(RateRules.Upload).AuditEveryRequest();
        api.MapGet("/videos", ListAsync);
        api.MapGet("/videos/{videoId}", GetAsync);
        api.MapGet("/videos/{videoId}/content", DownloadAsync);
        api.MapDelete("/videos/{videoId}", DeleteAsync);
        return api;
    }

    private static async Task<Created<UploadReceipt>> UploadAsync(
        HttpContext http, ClaimsPrincipal user, UploadReceiver receiver, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var receipt = await receiver.ReceiveAsync(http, user, cancellationToken);
        http.Metrics().UploadStored(receipt.SizeBytes, Stopwatch.GetElapsedTime(started));
        return TypedResults.Created($"/surveillance/videos/{receipt.VideoId}", receipt);
    }

    private static async Task<Ok<VideoListResponse>> ListAsync(
        ClaimsPrincipal user, IGrainFactory grains, [FromQuery(Name = "project_id")] string? projectId, string? status, int? limit)
    {
        var take = ListLimit.From(limit);

        var projects = await ProjectAccess.ReadableProjectsAsync(grains, user, projectId);
        var videos = new List<VideoInfo>();
        foreach (var project in projects)
        {
            videos.AddRange(await ProjectsApi.VideosOfAsync(grains, project));
        }

        return TypedResults.Ok(new VideoListResponse(videos
            .Where(v => status is null || v.Status == status)
            .OrderByDescending(v => v.UploadedAt)
            .Take(take)
            .Select(VideoResponse.From)
            .ToList()));
    }

    private static async Task<Ok<VideoResponse>> GetAsync(string videoId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (video, _) = await ProjectAccess.ReadableVideoAsync(grains, user, videoId);
        return TypedResults.Ok(VideoResponse.From(video));
    }

    private static async Task<EmptyHttpResult> DownloadAsync(
        string videoId, HttpContext http, ClaimsPrincipal user, IGrainFactory grains, VideoFiles files, ILoggerFactory loggers)
    {
        var (video, _) = await ProjectAccess.ReadableVideoAsync(grains, user, videoId);
        var key = await grains.GetGrain<IVideoGrain>(video.VideoId).GetContentKeyAsync();
        await VideoContent.WriteAsync(http, video, key, files, loggers.CreateLogger(typeof(VideoContent)));
        return TypedResults.Empty;
    }

    private static async Task<NoContent> DeleteAsync(string videoId, ClaimsPrincipal user, IGrainFactory grains, HttpContext http)
    {
        var (video, _) = await ProjectAccess.ReadableVideoAsync(grains, user, videoId);
        user.RequireRole(Roles.Operator, Roles.Admin);
        await grains.GetGrain<IVideoGrain>(video.VideoId).DeleteAsync();
        http.Audit(AuditEvents.VideoDeleted, details: new Dictionary<string, string> { ["video_id"] = video.VideoId });
        return TypedResults.NoContent();
    }
}
