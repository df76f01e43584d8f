using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Surveillance.Api.Projects;
using Surveillance.Errors;
using Surveillance.Processing;
using Surveillance.Videos;

namespace Surveillance.Api.Processing;

/// <summary>
/// <c>GET /surveillance/analytics</c>: totals over the projects the caller can read (a project named
/// by an outsider is a 404, as everywhere), counted from each video's tally of its stored results —
/// so a deleted video, gone from its project, is gone from the counts.
/// </summary>
public static class AnalyticsApi
{
    private const string DateFormat = "yyyy-MM-dd";

    public static RouteGroupBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/surveillance").WithTags("Processing").RequireAuthorization();
        api.MapGet("/analytics", GetAsync);
        return api;
    }

    private static async Task<Ok<AnalyticsEnvelope>> GetAsync(
        ClaimsPrincipal user,
        IGrainFactory grains,
        [FromQuery(Name = "project_id")] string? projectId,
        [FromQuery(Name = "start_date")] string? startDate,
        [FromQuery(Name = "end_date")] string? endDate)
    {
        var from = ParseDate(startDate, "start_date");
        var to = ParseDate(endDate, "end_date");
        if (from > to)
        {
            throw DomainException.Validation("'start_date' must not be after 'end_date'.");
        }

        var projects = await ProjectAccess.ReadableProjectsAsync(grains, user, string.IsNullOrEmpty(projectId) ? null : projectId);
        var videos = new List<VideoInfo>();
        foreach (var project in projects)
        {
            videos.AddRange((await ProjectsApi.VideosOfAsync(grains, project)).Where(v => InRange(v, from, to)));
        }

        // One tally per video, kept by its grain as results are stored: O(videos), not O(frames).
        var tallies = (await Task.WhenAll(videos.Select(v => grains.GetGrain<IVideoGrain>(v.VideoId).GetDetectionsAsync())))
            .OfType<VideoDetections>()
            .ToDictionary(t => t.VideoId, StringComparer.Ordinal);
        return TypedResults.Ok(new AnalyticsEnvelope(Summarize(
            projectId is { Length: > 0 } ? projects[0].ProjectId : null, projects.Count, videos, tallies)));
    }

    private static AnalyticsResponse Summarize(
        string? projectId, int projectCount, List<VideoInfo> videos, IReadOnlyDictionary<string, VideoDetections> tallies)
    {
        var objects = new Dictionary<string, int>(StringComparer.Ordinal);
        var byDay = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var frames = 0;
        foreach (var video in videos)
        {
            var tally = tallies.GetValueOrDefault(video.VideoId);
            var day = video.UploadedAt.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);
            byDay[day] = byDay.GetValueOrDefault(day) + (tally?.Objects.Values.Sum() ?? 0);
            frames += tally?.Frames ?? 0;
            foreach (var (name, count) in tally?.Objects ?? [])
            {
                objects[name] = objects.GetValueOrDefault(name) + count;
            }
        }

        var detections = objects.Values.Sum();
        return new AnalyticsResponse(
            projectId,
            new AnalyticsOverview(projectCount, videos.Count, frames, detections,
                Math.Round(videos.Sum(v => v.Media?.DurationSeconds ?? 0), 3)),
            objects.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).ToDictionary(
                o => o.Key,
                o => new ObjectStatistic(o.Value, Math.Round(o.Value * 100.0 / detections, 1, MidpointRounding.AwayFromZero))),
            videos.GroupBy(v => v.Status).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            byDay.Select(d => new DailyDetections(d.Key, d.Value)).ToList());
    }

    /// <summary>Dates are whole UTC days, inclusive at both ends, on the video's <c>uploaded_at</c>.</summary>
    private static bool InRange(VideoInfo video, DateOnly? from, DateOnly? to)
    {
        var day = DateOnly.FromDateTime(video.UploadedAt.UtcDateTime);
        return (from is null || day >= from) && (to is null || day <= to);
    }

    private static DateOnly? ParseDate(string? value, string name) =>
        string.IsNullOrEmpty(value) ? null
        : DateOnly.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw DomainException.Validation($"'{name}' must be a date written YYYY-MM-DD.");
}
