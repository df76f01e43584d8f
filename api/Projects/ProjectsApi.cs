using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Surveillance.Api.Auth;
using Surveillance.Api.Http;
using Surveillance.Errors;
using Surveillance.Identity;
using Surveillance.Videos;

namespace Surveillance.Api.Projects;

/// <summary><c>/surveillance/projects</c>: projects and their members.</summary>
public static class ProjectsApi
{
    public static RouteGroupBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/surveillance/projects").WithTags("Projects").RequireAuthorization();
        api.MapPost("/", CreateAsync).RequireAuthorization(Policies.Admin);
        api.MapGet("/", ListAsync);
        api.MapGet("/{projectId}", GetAsync);
        api.MapPatch("/{projectId}", UpdateAsync).RequireAuthorization(Policies.Admin);
        api.MapPut("/{projectId}/members/{username}", AddMemberAsync).RequireAuthorization(Policies.Admin);
        api.MapDelete("/{projectId}/members/{username}", RemoveMemberAsync).RequireAuthorization(Policies.Admin);
        return api;
    }

    private static async Task<Created<ProjectResponse>> CreateAsync(CreateProjectRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        body = Require.Body(body);
        var id = ProjectIds.RequireValid(Require.Field(body.ProjectId, "project_id", 100));

        var project = await grains.GetGrain<IProjectGrain>(id).CreateAsync(
            new NewProject(Require.Field(body.Name, "name", 1000), body.Description, body.RetentionDays), user.Username());
        return TypedResults.Created($"/surveillance/projects/{id}", ProjectResponse.From(project, []));
    }

    private static async Task<Ok<ProjectListResponse>> ListAsync(ClaimsPrincipal user, IGrainFactory grains, [FromQuery(Name = "include_stats")] bool? includeStats)
    {
        var projects = await ProjectAccess.ReadableProjectsAsync(grains, user);
        var responses = new List<ProjectResponse>();
        foreach (var project in projects)
        {
            responses.Add(includeStats == true
                ? ProjectResponse.From(project, await VideosOfAsync(grains, project))
                : ProjectResponse.From(project));
        }

        return TypedResults.Ok(new ProjectListResponse(responses));
    }

    private static async Task<Ok<ProjectResponse>> GetAsync(string projectId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var project = await ProjectAccess.ReadableAsync(grains, user, projectId);
        return TypedResults.Ok(ProjectResponse.From(project, await VideosOfAsync(grains, project), listVideos: true));
    }

    private static async Task<Ok<ProjectResponse>> UpdateAsync(string projectId, JsonObject? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        body = Require.Body(body);
        var project = await ProjectAccess.ReadableAsync(grains, user, projectId);
        var patch = new ProjectPatch(
            body["name"] is { } name ? Read<string>(name, "name") : null,
            body["description"] is { } description ? Read<string>(description, "description") : null,
            body["retention_days"] is { } retention ? Read<int>(retention, "retention_days") : null,
            ClearRetention: body.TryGetPropertyValue("retention_days", out var days) && days is null);
        var updated = await grains.GetGrain<IProjectGrain>(project.ProjectId).UpdateAsync(patch);
        return TypedResults.Ok(ProjectResponse.From(updated, await VideosOfAsync(grains, updated)));
    }

    private static async Task<NoContent> AddMemberAsync(string projectId, string username, ClaimsPrincipal user, IGrainFactory grains)
    {
        var project = await ProjectAccess.ReadableAsync(grains, user, projectId);
        var member = Usernames.Normalize(username);
        if (!Usernames.IsValid(member))
        {
            throw DomainException.NotFound("No such user.");
        }

        await grains.GetGrain<IProjectGrain>(project.ProjectId).AddMemberAsync(member);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> RemoveMemberAsync(string projectId, string username, ClaimsPrincipal user, IGrainFactory grains)
    {
        var project = await ProjectAccess.ReadableAsync(grains, user, projectId);
        await grains.GetGrain<IProjectGrain>(project.ProjectId).RemoveMemberAsync(Usernames.Normalize(username));
        return TypedResults.NoContent();
    }

    public static async Task<IReadOnlyList<VideoInfo>> VideosOfAsync(IGrainFactory grains, ProjectInfo project) =>
        (await Task.WhenAll(project.VideoIds.Select(id => grains.GetGrain<IVideoGrain>(id).GetAsync())))
            .OfType<VideoInfo>()
            .OrderByDescending(v => v.UploadedAt)
            .ToList();

    private static T Read<T>(JsonNode node, string name)
    {
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw DomainException.Validation($"'{name}' has the wrong type.");
        }
    }
}
