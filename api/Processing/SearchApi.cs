using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Surveillance.Api.Edge;
using Surveillance.Api.Http;
using Surveillance.Api.Projects;
using Surveillance.Errors;
using Surveillance.Processing;
using Surveillance.Telemetry;

namespace Surveillance.Api.Processing;

/// <summary>
/// <c>POST /surveillance/search</c>: the query is embedded once (on a silo), then each readable
/// project's index grain is asked for its best frames; the best of all are answered. A query is
/// data: it only ever becomes a vector, never part of a statement.
/// </summary>
public static class SearchApi
{
    public const int MaxQueryLength = 200;
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;
    public const double DefaultThreshold = 0.7;
    public const int MaxObjectFilters = 50;

    public static RouteHandlerBuilder MapSearchApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/surveillance/search", SearchAsync).WithTags("Search").RequireAuthorization().WithRateRule(RateRules.Search);

    private static async Task<Ok<SearchResponse>> SearchAsync(SearchRequest? body, ClaimsPrincipal user, IGrainFactory grains, SurveillanceMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        var request = Require.Body(body);
        var query = Require.Field(request.Query?.Trim(), "query", MaxQueryLength);
        var limit = request.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            throw DomainException.Validation($"'limit' must be 1 to {MaxLimit}.");
        }

        var threshold = request.Threshold ?? DefaultThreshold;
        if (threshold is < 0 or > 1)
        {
            throw DomainException.Validation("'threshold' must be 0 to 1.");
        }

        if (request.StartTime is < 0 || request.EndTime is < 0 || request.StartTime > request.EndTime)
        {
            throw DomainException.Validation("'start_time' and 'end_time' must be seconds ≥ 0, with start_time ≤ end_time.");
        }

        var objects = ObjectFilter(request.DetectedObjects);
        var projects = await ProjectAccess.ReadableProjectsAsync(grains, user, request.ProjectId);
        var vector = await grains.GetGrain<IQueryEncoderGrain>(0).EncodeAsync(query);
        var search = new FrameSearch(vector, limit, threshold, objects, request.StartTime, request.EndTime);
        var pages = await Task.WhenAll(projects.Select(p => grains.GetGrain<IFrameIndexGrain>(p.ProjectId).SearchAsync(search)));
        var hits = pages
            .SelectMany(p => p.Hits)
            .OrderByDescending(h => h.Score)
            .ThenBy(h => h.FrameId, StringComparer.Ordinal)
            .Take(limit)
            .Select(h => new SearchHitResponse(h.FrameId, h.VideoId, h.VideoFilename, h.ProjectId, h.Timestamp, h.Score,
                h.Caption, DetectedObjectResponse.From(h.DetectedObjects)))
            .ToList();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        metrics.SearchCompleted(TimeSpan.FromSeconds(seconds));
        return TypedResults.Ok(new SearchResponse(hits, pages.Sum(p => p.TotalMatches), Math.Round(seconds, 4),
            request.ProjectId is null ? null : projects[0].ProjectId));
    }

    private static List<string> ObjectFilter(IReadOnlyList<string?>? classes)
    {
        if (classes is null)
        {
            return [];
        }

        if (classes.Count > MaxObjectFilters)
        {
            throw DomainException.Validation($"'detected_objects' may name at most {MaxObjectFilters} classes.");
        }

        return classes.Select((c, i) => Require.Field(c?.Trim(), $"detected_objects[{i}]", ResultsRules.MaxNameLength)).ToList();
    }
}
