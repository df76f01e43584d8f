using System.Security.Claims;
using Surveillance.Errors;
using Surveillance.Identity;
using Surveillance.Videos;

namespace Surveillance.Api.Projects;

/// <summary>
/// Object-level authorization (OWASP API1, ASVS 8.2.2): a project and its videos are visible to
/// its members and to admins. To everyone else they do not exist — the same 404 as for an id
/// that was never there — so ids cannot be probed. A member without the needed role gets 403.
/// </summary>
public static class ProjectAccess
{
    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    public static bool CanRead(this ClaimsPrincipal user, ProjectInfo project) =>
        user.IsAdmin() || project.Members.Contains(user.FindFirst("sub")?.Value ?? "");

    /// <summary>The project when the caller may read it; 404 otherwise.</summary>
    public static async Task<ProjectInfo> ReadableAsync(IGrainFactory grains, ClaimsPrincipal user, string projectId)
    {
        var id = ProjectIds.Normalize(projectId);
        var project = ProjectIds.IsValid(id) ? await grains.GetGrain<IProjectGrain>(id).GetAsync() : null;
        return project is not null && user.CanRead(project) ? project : throw NoSuchProject();
    }

    /// <summary>An existing project takes uploads from its members and admins; to anyone else it does not exist (404).</summary>
    public static async Task RefuseUploadByNonMemberAsync(IGrainFactory grains, ClaimsPrincipal user, string projectId)
    {
        if (await grains.GetGrain<IProjectGrain>(projectId).GetAsync() is { } project && !user.CanRead(project))
        {
            throw NoSuchProject();
        }
    }

    /// <summary>
    /// The projects a listing or search covers: the one named (404 when the caller may not read
    /// it), or else every project the caller may read.
    /// </summary>
    public static async Task<IReadOnlyList<ProjectInfo>> ReadableProjectsAsync(IGrainFactory grains, ClaimsPrincipal user, string? projectId = null)
    {
        if (projectId is not null)
        {
            return [await ReadableAsync(grains, user, projectId)];
        }

        var ids = await grains.GetGrain<IProjectDirectoryGrain>(0).ListAsync();
        return (await Task.WhenAll(ids.Select(id => grains.GetGrain<IProjectGrain>(id).GetAsync())))
            .OfType<ProjectInfo>()
            .Where(user.CanRead)
            .ToList();
    }

    /// <summary>The video when the caller may read its project; 404 otherwise.</summary>
    public static async Task<(VideoInfo Video, ProjectInfo Project)> ReadableVideoAsync(IGrainFactory grains, ClaimsPrincipal user, string videoId)
    {
        var video = VideoIds.IsValid(videoId) ? await grains.GetGrain<IVideoGrain>(videoId).GetAsync() : null;
        var project = video is null ? null : await grains.GetGrain<IProjectGrain>(video.ProjectId).GetAsync();
        return video is not null && project is not null && user.CanRead(project)
            ? (video, project)
            : throw DomainException.NotFound("No such video.");
    }

    /// <summary>403 unless the caller holds one of the roles.</summary>
    public static void RequireRole(this ClaimsPrincipal user, params string[] roles)
    {
        if (!roles.Any(user.IsInRole))
        {
            throw DomainException.Forbidden($"This needs one of the roles: {string.Join(", ", roles)}.");
        }
    }

    public static DomainException NoSuchProject() => DomainException.NotFound("No such project.");
}
