namespace Surveillance.Videos;

/// <summary>Durable state of <see cref="ProjectGrain"/>. Never rename; never reuse an <c>[Id]</c>.</summary>
[GenerateSerializer, Alias("surveillance.ProjectState")]
public sealed class ProjectState
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public string? Description { get; set; }
    [Id(2)] public int? RetentionDays { get; set; }
    [Id(3)] public HashSet<string> Members { get; set; } = [];
    [Id(4)] public HashSet<string> VideoIds { get; set; } = [];
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public string CreatedBy { get; set; } = "";

    public ProjectInfo ToInfo(string projectId) => new(
        projectId, Name, Description, RetentionDays,
        Members.Order(StringComparer.Ordinal).ToList(), VideoIds.Order(StringComparer.Ordinal).ToList(),
        CreatedAt, CreatedBy);
}
