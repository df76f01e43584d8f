namespace Surveillance.Api.Processing;

/// <summary>The body of <c>POST /surveillance/search</c> (API.md "Search"); times are seconds into a video.</summary>
public sealed record SearchRequest(
    string? Query,
    string? ProjectId,
    int? Limit,
    double? Threshold,
    IReadOnlyList<string?>? DetectedObjects,
    double? StartTime,
    double? EndTime);

public sealed record SearchHitResponse(
    string FrameId, string VideoId, string VideoFilename, string ProjectId, double Timestamp,
    double SimilarityScore, string Caption, IReadOnlyList<DetectedObjectResponse> DetectedObjects);

/// <summary><c>query_time</c> is in seconds.</summary>
public sealed record SearchResponse(IReadOnlyList<SearchHitResponse> Results, int TotalResults, double QueryTime, string? ProjectId);
