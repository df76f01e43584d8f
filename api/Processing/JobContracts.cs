using Surveillance.Processing;

namespace Surveillance.Api.Processing;

public sealed record JobStageResponse(string Name, string Status, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt);

public sealed record JobResponse(
    string JobId, string VideoId, string ProjectId, string Filename, string Status, int Progress,
    IReadOnlyList<JobStageResponse> Stages, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? Error)
{
    public static JobResponse From(JobInfo job) => new(
        job.JobId, job.JobId, job.ProjectId, job.Filename, job.Status, job.Progress,
        job.Stages.Select(s => new JobStageResponse(s.Name, s.Status, s.StartedAt, s.CompletedAt)).ToList(),
        job.CreatedAt, job.UpdatedAt, job.StartedAt, job.CompletedAt, job.Error);
}

public sealed record JobListResponse(IReadOnlyList<JobResponse> Jobs);
