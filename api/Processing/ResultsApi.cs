using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Surveillance.Api.Edge;
using Surveillance.Api.Http;
using Surveillance.Api.Projects;
using Surveillance.Identity;
using Surveillance.Videos;

namespace Surveillance.Api.Processing;

/// <summary>Processing results in (processors), single frames out (readers).</summary>
public static class ResultsApi
{
    public static RouteGroupBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/surveillance").WithTags("Processing").RequireAuthorization();
        api.MapPost("/videos/{videoId}/results", PostAsync);
        api.MapGet("/frame/{frameId}/metadata", GetFrameAsync).WithRateRule(RateRules.Frames);
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
        var (_, frame) = await FrameAccess.ReadableFrameAsync(grains, user, frameId, http);
        return TypedResults.Ok(FrameResponse.From(frame));
    }
}
