using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Surveillance.Api.Http;
using Surveillance.Api.Projects;
using Surveillance.Errors;
using Surveillance.Processing;
using Surveillance.Videos;

namespace Surveillance.Api.Processing;

/// <summary><c>/surveillance/jobs</c>: each video's processing job (<c>job_id</c> = <c>video_id</c>).</summary>
public static class JobsApi
{
    private static readonly HashSet<string> Statuses = new(StringComparer.Ordinal)
    {
        VideoStatus.Queued, VideoStatus.Processing, VideoStatus.AwaitingResults, VideoStatus.Completed, VideoStatus.Failed,
    };

    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/surveillance/jobs").WithTags("Processing").RequireAuthorization();
        api.MapGet("/", ListAsync);
        api.MapGet("/{jobId}", GetAsync);
        return api;
    }

    private static async Task<Ok<JobListResponse>> ListAsync(
        ClaimsPrincipal user, IGrainFactory grains, [FromQuery(Name = "project_id")] string? projectId, string? status, int? limit)
    {
        var take = ListLimit.From(limit);

        if (status is not null && !Statuses.Contains(status))
        {
            throw DomainException.Validation($"'status' must be one of: {string.Join(", ", Statuses)}.");
        }

        var projects = await ProjectAccess.ReadableProjectsAsync(grains, user, projectId);
        var jobs = await Task.WhenAll(projects
            .SelectMany(p => p.VideoIds)
            .Select(id => grains.GetGrain<IVideoGrain>(id).GetJobAsync()));
        return TypedResults.Ok(new JobListResponse(jobs
            .OfType<JobInfo>()
            .Where(j => status is null || j.Status == status)
            .OrderByDescending(j => j.CreatedAt)
            .Take(take)
            .Select(JobResponse.From)
            .ToList()));
    }

    private static async Task<Ok<JobResponse>> GetAsync(string jobId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (video, _) = await ProjectAccess.ReadableVideoAsync(grains, user, jobId);
        var job = await grains.GetGrain<IVideoGrain>(video.VideoId).GetJobAsync();
        return TypedResults.Ok(JobResponse.From(job ?? throw DomainException.NotFound("No such job.")));
    }
}
