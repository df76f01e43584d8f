namespace Surveillance.Videos;

[GenerateSerializer, Alias("surveillance.ProjectDirectoryState")]
public sealed class ProjectDirectoryState
{
    [Id(0)] public HashSet<string> ProjectIds { get; set; } = [];
}
