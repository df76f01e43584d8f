using Surveillance.Api.Videos;
using Surveillance.Videos;

namespace Surveillance.Api.Projects;

public sealed record CreateProjectRequest(string? ProjectId, string? Name, string? Description, int? RetentionDays);

public sealed record ProjectStatistics(int VideoCount, long TotalSizeBytes, IReadOnlyDictionary<string, int> ByStatus)
{
    public static ProjectStatistics Of(IReadOnlyCollection<VideoInfo> videos) => new(
        videos.Count,
        videos.Sum(v => v.SizeBytes),
        videos.GroupBy(v => v.Status).ToDictionary(g => g.Key, g => g.Count()));
}

public sealed record ProjectResponse(
    string ProjectId,
    string Name,
    string? Description,
    int? RetentionDays,
    IReadOnlyList<string> Members,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    ProjectStatistics? Statistics,
    IReadOnlyList<VideoResponse>? Videos)
{
    public static ProjectResponse From(ProjectInfo project, IReadOnlyCollection<VideoInfo>? videos = null, bool listVideos = false) => new(
        project.ProjectId, project.Name, project.Description, project.RetentionDays, project.Members,
        project.CreatedAt, project.CreatedBy,
        videos is null ? null : ProjectStatistics.Of(videos),
        listVideos && videos is not null ? videos.Select(VideoResponse.From).ToList() : null);
}

public sealed record ProjectListResponse(IReadOnlyList<ProjectResponse> Projects);
