using System.Net;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Videos;

namespace Surveillance.Tests.Projects;

/// <summary>
/// API.md "Projects": creating and changing projects and their members is for admins; a project
/// is visible to its members and to admins only, and to everyone else it does not exist.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class ProjectAccessTests(VideosFixture fixture)
{
    public static TheoryData<string> NonAdminRoles() => ["viewer", "operator", "processor", "operator+viewer+processor"];

    [Theory]
    [MemberData(nameof(NonAdminRoles))]
    public async Task NonAdmin_CannotCreateChangeOrManageMembers_EvenAsAMember(string roles)
    {
        var (member, token) = await fixture.NewUserAsync(roles.Split('+'));
        var (other, _) = await fixture.NewUserAsync("viewer");
        var projectId = await fixture.NewProjectAsync(members: member);
        var http = fixture.CreateClient();
        var newId = "np-" + Guid.NewGuid().ToString("N")[..10];

        var create = await http.SendAsync(HttpMethod.Post, "/surveillance/projects", token, new { project_id = newId, name = "Mine" });
        var patch = await http.SendAsync(HttpMethod.Patch, $"/surveillance/projects/{projectId}", token, new { name = "Renamed", retention_days = 1 });
        var addMember = await http.SendAsync(HttpMethod.Put, $"/surveillance/projects/{projectId}/members/{other}", token);
        var removeMember = await http.SendAsync(HttpMethod.Delete, $"/surveillance/projects/{projectId}/members/{member}", token);

        await create.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await patch.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await addMember.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await removeMember.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        var admin = await fixture.AdminTokenOnceAsync();
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{newId}", admin)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", admin)).ReadJsonAsync();
        Assert.Equal("Project " + projectId, project["name"]!.GetValue<string>());
        Assert.Null(project["retention_days"]);
        Assert.Equal([member], project["members"]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Theory]
    [InlineData("operator")]
    [InlineData("viewer")]
    [InlineData("processor")]
    public async Task Outsider_GetsTheSame404AsForAMissingProject(string role)
    {
        var projectId = await fixture.NewProjectAsync();
        var (_, outsider) = await fixture.NewUserAsync(role);
        var http = fixture.CreateClient();

        var hidden = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        var absent = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/nope-{Guid.NewGuid():N}", outsider)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        var hiddenList = await http.SendAsync(HttpMethod.Get, $"/surveillance/videos?project_id={projectId}", outsider);

        Assert.Equal(absent["detail"]!.GetValue<string>(), hidden["detail"]!.GetValue<string>());
        await hiddenList.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task ProjectList_ShowsOnlyTheProjectsTheCallerIsAMemberOf_AndAdminSeesAll()
    {
        var (viewer, viewerToken) = await fixture.NewUserAsync("viewer");
        var (_, strangerToken) = await fixture.NewUserAsync("operator", "viewer", "processor");
        var mine1 = await fixture.NewProjectAsync(members: viewer);
        var mine2 = await fixture.NewProjectAsync(members: viewer);
        var notMine = await fixture.NewProjectAsync();
        var http = fixture.CreateClient();

        var ofViewer = await ListAsync(http, viewerToken);
        var ofStranger = await ListAsync(http, strangerToken);
        var ofAdmin = await ListAsync(http, await fixture.AdminTokenOnceAsync());

        Assert.Equal(new[] { mine1, mine2 }.Order(), ofViewer.Order());
        Assert.Empty(ofStranger);
        Assert.Superset(new HashSet<string> { mine1, mine2, notMine }, ofAdmin.ToHashSet());
    }

    [Fact]
    public async Task Member_SeesTheProject_WithItsVideosAndStatistics()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var (viewer, viewerToken) = await fixture.NewUserAsync("viewer");
        var projectId = await fixture.NewProjectAsync(30, operatorName, viewer);
        var content = fixture.Samples.Bytes("mpeg4.avi");
        var videoId = await fixture.UploadVideoAsync(token, projectId, "cam.avi", content);

        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", viewerToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var project = await response.ReadJsonAsync();
        Assert.Equal(projectId, project["project_id"]!.GetValue<string>());
        Assert.Equal(30, project["retention_days"]!.GetValue<int>());
        Assert.Equal(new[] { operatorName, viewer }.Order(StringComparer.Ordinal), project["members"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("admin", project["created_by"]!.GetValue<string>());
        Assert.Equal(1, project["statistics"]!["video_count"]!.GetValue<int>());
        Assert.Equal(content.Length, project["statistics"]!["total_size_bytes"]!.GetValue<long>());
        var video = Assert.Single(project["videos"]!.AsArray())!;
        Assert.Equal(videoId, video["video_id"]!.GetValue<string>());
        Assert.Equal("cam.avi", video["filename"]!.GetValue<string>());
    }

    [Fact]
    public async Task ProjectList_WithIncludeStats_CarriesStatistics()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var content = fixture.Samples.Bytes("h264.mp4");
        await fixture.UploadVideoAsync(token, projectId, "a.mp4", content);
        var http = fixture.CreateClient();

        var plain = await (await http.SendAsync(HttpMethod.Get, "/surveillance/projects", token)).ReadJsonAsync();
        var withStats = await (await http.SendAsync(HttpMethod.Get, "/surveillance/projects?include_stats=true", token)).ReadJsonAsync();

        Assert.Null(Assert.Single(plain["projects"]!.AsArray())!["statistics"]);
        var statistics = Assert.Single(withStats["projects"]!.AsArray())!["statistics"];
        Assert.NotNull(statistics);
        Assert.Equal(1, statistics["video_count"]!.GetValue<int>());
        Assert.Equal(content.Length, statistics["total_size_bytes"]!.GetValue<long>());
    }

    [Fact]
    public async Task AddedMember_GainsAccess_AndRemovedMember_LosesIt()
    {
        var (viewer, viewerToken) = await fixture.NewUserAsync("viewer");
        var projectId = await fixture.NewProjectAsync();
        var admin = await fixture.AdminTokenOnceAsync();
        var http = fixture.CreateClient();
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", viewerToken)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");

        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Put, $"/surveillance/projects/{projectId}/members/{viewer.ToUpperInvariant()}", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Put, $"/surveillance/projects/{projectId}/members/{viewer}", admin)).StatusCode);

        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", viewerToken)).ReadJsonAsync();
        Assert.Equal([viewer], project["members"]!.AsArray().Select(m => m!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Delete, $"/surveillance/projects/{projectId}/members/{viewer}", admin)).StatusCode);
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", viewerToken)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Empty(await ListAsync(http, viewerToken));
    }

    [Fact]
    public async Task ProjectEndpoints_WithoutToken_Are401()
    {
        var projectId = await fixture.NewProjectAsync();
        var http = fixture.CreateClient();

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "/surveillance/projects"),
            (HttpMethod.Post, "/surveillance/projects"),
            (HttpMethod.Get, $"/surveillance/projects/{projectId}"),
            (HttpMethod.Patch, $"/surveillance/projects/{projectId}"),
            (HttpMethod.Put, $"/surveillance/projects/{projectId}/members/admin"),
            (HttpMethod.Delete, $"/surveillance/projects/{projectId}/members/admin"),
        })
        {
            var response = await http.SendAsync(method, path, token: null, method == HttpMethod.Get ? null : new { name = "x", project_id = "y" });
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }

    private static async Task<string[]> ListAsync(HttpClient http, string token)
    {
        var response = await http.SendAsync(HttpMethod.Get, "/surveillance/projects", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJsonAsync())["projects"]!.AsArray().Select(p => p!["project_id"]!.GetValue<string>())];
    }
}
