using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Surveillance.Api.Audit;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;
using Surveillance.Api.Projects;
using Surveillance.Audit;
using Surveillance.Errors;
using Surveillance.Identity;
using Surveillance.Processing;
using Surveillance.Videos;

namespace Surveillance.Api.Processing;

/// <summary>Processing results in (processors), single frames out (readers).</summary>
public static class ResultsApi
{
    public static RouteGroupBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/surveillance").WithTags("Processing").RequireAuthorization();
        api.MapPost("/videos/{videoId}/results", PostAsync);
        api.MapGet("/frame/{frameId}/metadata", GetFrameAsync);
        return api;
    }

    private static async Task<Ok<ResultsResponse>> PostAsync(string videoId, ResultsRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (video, _) = await ProjectAccess.ReadableVideoAsync(grains, user, videoId);
        user.RequireRole(Roles.Processor, Roles.Admin);
        var submission = Require.Body(body).ToSubmission();
        var receipt = await grains.GetGrain<IVideoGrain>(video.VideoId).AddResultsAsync(submission);
        return TypedResults.Ok(ResultsResponse.From(receipt));
    }

    private static async Task<Ok<FrameResponse>> GetFrameAsync(string frameId, ClaimsPrincipal user, IGrainFactory grains, HttpContext http)
    {
        if (!FrameIds.TryGetVideoId(frameId, out var videoId))
        {
            throw NoSuchFrame();
        }

        // The frame's video decides access: an outsider gets the same 404 as for a frame that never existed.
        VideoInfo video;
        try
        {
            (video, _) = await ProjectAccess.ReadableVideoAsync(grains, user, videoId);
        }
        catch (DomainException missing) when (missing.Error == DomainError.NotFound)
        {
            throw NoSuchFrame();
        }

        var lookup = await grains.GetGrain<IVideoGrain>(video.VideoId).GetFrameAsync(frameId);
        if (lookup.IntegrityFailed)
        {
            http.Audit(AuditEvents.IntegrityFailure, details: new Dictionary<string, string> { ["frame_id"] = frameId, ["video_id"] = video.VideoId, ["project_id"] = video.ProjectId });
            throw new HttpProblemException(StatusCodes.Status500InternalServerError,
                "The stored frame failed its integrity check and is not served.");
        }

        return TypedResults.Ok(FrameResponse.From(lookup.Frame ?? throw NoSuchFrame()));
    }

    private static DomainException NoSuchFrame() => DomainException.NotFound("No such frame.");
}
