namespace Surveillance.Videos;

/// <summary>A project: a group of videos whose access is by membership.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.ProjectInfo")]
public sealed record ProjectInfo(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Description,
    [property: Id(3)] int? RetentionDays,
    [property: Id(4)] IReadOnlyList<string> Members,
    [property: Id(5)] IReadOnlyList<string> VideoIds,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] string CreatedBy);

[GenerateSerializer, Immutable, Alias("surveillance.NewProject")]
public sealed record NewProject(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] int? RetentionDays);

/// <summary>A partial update; null members stay. <see cref="ClearRetention"/> removes the retention.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.ProjectPatch")]
public sealed record ProjectPatch(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] int? RetentionDays,
    [property: Id(3)] bool ClearRetention);
