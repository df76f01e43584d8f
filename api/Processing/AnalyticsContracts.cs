namespace Surveillance.Api.Processing;

/// <summary>The body of <c>GET /surveillance/analytics</c> (API.md "Analytics").</summary>
public sealed record AnalyticsEnvelope(AnalyticsResponse Analytics);

public sealed record AnalyticsResponse(
    string? ProjectId,
    AnalyticsOverview Overview,
    IReadOnlyDictionary<string, ObjectStatistic> ObjectStatistics,
    IReadOnlyDictionary<string, int> VideosByStatus,
    IReadOnlyList<DailyDetections> DetectionsByDay);

public sealed record AnalyticsOverview(int TotalProjects, int TotalVideos, int TotalFrames, int TotalDetections, double TotalDurationSeconds);

/// <summary><c>percentage</c> of all detections in scope, one decimal.</summary>
public sealed record ObjectStatistic(int Count, double Percentage);

/// <summary><c>date</c> is the UTC day the videos were uploaded (<c>YYYY-MM-DD</c>).</summary>
public sealed record DailyDetections(string Date, int Count);
