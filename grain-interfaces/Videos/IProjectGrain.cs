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
    /// Admits an uploaded video into this project, atomically with the access check: a project
    /// that does not exist yet is created with the uploader as its member (API.md); an existing
    /// one takes the video only from a member or an admin, and is "not found" to anyone else.
    /// </summary>
    [Alias("AcceptUploadAsync")] Task AcceptUploadAsync(string videoId, string uploader, bool uploaderIsAdmin);

    [Alias("RemoveVideoAsync")] Task RemoveVideoAsync(string videoId);
}
