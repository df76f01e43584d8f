namespace Surveillance.Processing;

/// <summary>A video's processing job (<c>job_id</c> = <c>video_id</c>).</summary>
[GenerateSerializer, Immutable, Alias("surveillance.JobInfo")]
public sealed record JobInfo(
    [property: Id(0)] string JobId,
    [property: Id(1)] string ProjectId,
    [property: Id(2)] string Filename,
    [property: Id(3)] string Status,
    [property: Id(4)] int Progress,
    [property: Id(5)] IReadOnlyList<JobStage> Stages,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset UpdatedAt,
    [property: Id(8)] DateTimeOffset? StartedAt,
    [property: Id(9)] DateTimeOffset? CompletedAt,
    [property: Id(10)] string? Error);

/// <summary>One step of a job: <c>upload</c>, <c>probe</c>, <c>analysis</c>.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.JobStage")]
public sealed record JobStage(
    [property: Id(0)] string Name,
    [property: Id(1)] string Status,
    [property: Id(2)] DateTimeOffset? StartedAt,
    [property: Id(3)] DateTimeOffset? CompletedAt);

/// <summary>Stage states.</summary>
public static class StageStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Waiting = "waiting";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
