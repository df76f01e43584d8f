using Orleans.Concurrency;

namespace Surveillance.Videos;

/// <summary>One project (key: its lower-case id): policy, members and the ids of its videos.</summary>
[Alias("surveillance.IProjectGrain")]
public interface IProjectGrain : IGrainWithStringKey
{
    [Alias("GetAsync"), ReadOnly] Task<ProjectInfo?> GetAsync();

    /// <summary>Creates the project; a conflict if it exists.</summary>
    [Alias("CreateAsync")] Task<ProjectInfo> CreateAsync(NewProject project, string createdBy);

    [Alias("UpdateAsync")] Task<ProjectInfo> UpdateAsync(ProjectPatch patch);

    /// <summary>Adds a member; not found when no such user exists.</summary>
    [Alias("AddMemberAsync")] Task AddMemberAsync(string username);

    [Alias("RemoveMemberAsync")] Task RemoveMemberAsync(string username);

    /// <summary>
    /// API.md: an operator uploading into a project that does not exist yet creates it and
    /// becomes its member. Returns the project either way.
    /// </summary>
    [Alias("CreateForUploaderAsync")] Task<ProjectInfo> CreateForUploaderAsync(string username);

    [Alias("AddVideoAsync")] Task AddVideoAsync(string videoId);

    [Alias("RemoveVideoAsync")] Task RemoveVideoAsync(string videoId);
}
