using System.Net;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Videos.VideoRequests;

namespace Surveillance.Tests.Videos;

/// <summary>
/// Object-level authorization (OWASP API1): a video exists only for the members of its project
/// and for admins. Outsiders get the same 404 as for an id that was never there, so ids cannot
/// be probed; members without the role get 403.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class VideoAccessTests(VideosFixture fixture)
{
    [Theory]
    [InlineData("operator")]
    [InlineData("viewer")]
    [InlineData("processor")]
    [InlineData("operator", "viewer", "processor")]
    public async Task Outsider_GetsTheSame404AsForAMissingVideo_OnEveryVideoEndpoint(params string[] roles)
    {
        var scene = await SceneAsync();
        var (_, outsider) = await fixture.NewUserAsync(roles);
        var http = fixture.CreateClient();
        var missing = Guid.NewGuid().ToString("N");

        foreach (var (method, path) in VideoEndpoints)
        {
            var hidden = await http.SendAsync(method, string.Format(path, scene.VideoId), outsider);
            var absent = await http.SendAsync(method, string.Format(path, missing), outsider);

            var hiddenProblem = await hidden.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
            var absentProblem = await absent.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
            Assert.Equal(absentProblem["detail"]!.GetValue<string>(), hiddenProblem["detail"]!.GetValue<string>());
            Assert.Equal(absentProblem["title"]!.GetValue<string>(), hiddenProblem["title"]!.GetValue<string>());
        }

        // The outsider's DELETE changed nothing.
        Assert.True(File.Exists(fixture.StoredPath(scene.ProjectId, scene.VideoId)));
        Assert.Equal(scene.Content, await http.DownloadBytesAsync(scene.OperatorToken, scene.VideoId));
    }

    [Fact]
    public async Task OutsiderOperator_UploadIntoAnExistingProject_Is404_AndStoresNothing()
    {
        var scene = await SceneAsync();
        var (_, outsider) = await fixture.NewUserAsync("operator");
        var http = fixture.CreateClient();
        var content = fixture.Samples.Bytes("h264.mp4");

        var inForm = await http.UploadAsync(outsider, scene.ProjectId, "intruder.mp4", content);
        var form = new MultipartFormDataContent { { FilePart(content), "file", "intruder.mp4" } };
        var inQuery = await http.PostMultipartAsync(outsider, form, $"/surveillance/upload?project_id={scene.ProjectId}");

        await inForm.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await inQuery.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{scene.ProjectId}", scene.OperatorToken)).ReadJsonAsync();
        Assert.Equal([scene.VideoId], project["videos"]!.AsArray().Select(v => v!["video_id"]!.GetValue<string>()));
        Assert.Single(FilesUnder(Path.Combine(fixture.VideoPath, scene.ProjectId)));
    }

    [Fact]
    public async Task ViewerMember_ReadsAndDownloads_ButUploadAndDeleteAre403()
    {
        var scene = await SceneAsync();
        var http = fixture.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{scene.VideoId}", scene.ViewerToken)).StatusCode);
        Assert.Equal(scene.Content, await http.DownloadBytesAsync(scene.ViewerToken, scene.VideoId));
        var upload = await http.UploadAsync(scene.ViewerToken, scene.ProjectId, "viewer.mp4", fixture.Samples.Bytes("h264.mp4"));
        var delete = await http.SendAsync(HttpMethod.Delete, $"/surveillance/videos/{scene.VideoId}", scene.ViewerToken);

        await upload.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await delete.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.True(File.Exists(fixture.StoredPath(scene.ProjectId, scene.VideoId)));
        Assert.Single(FilesUnder(Path.Combine(fixture.VideoPath, scene.ProjectId)));
    }

    [Fact]
    public async Task ProcessorMember_CannotUploadOrDelete()
    {
        var scene = await SceneAsync();
        var (processor, token) = await fixture.NewUserAsync("processor");
        await fixture.AddMemberAsync(scene.ProjectId, processor);
        var http = fixture.CreateClient();

        var upload = await http.UploadAsync(token, scene.ProjectId, "p.mp4", fixture.Samples.Bytes("h264.mp4"));
        var delete = await http.SendAsync(HttpMethod.Delete, $"/surveillance/videos/{scene.VideoId}", token);

        await upload.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await delete.AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{scene.VideoId}", scene.OperatorToken)).StatusCode);
    }

    /// <summary>A viewer may not upload anywhere; the answer must not tell existing projects from missing ones.</summary>
    [Fact]
    public async Task Viewer_UploadIsForbidden_TheSameWayWhetherOrNotTheProjectExists()
    {
        var scene = await SceneAsync();
        var (_, viewer) = await fixture.NewUserAsync("viewer");
        var http = fixture.CreateClient();
        var content = fixture.Samples.Bytes("h264.mp4");

        var existing = await (await http.UploadAsync(viewer, scene.ProjectId, "x.mp4", content)).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        var missing = await (await http.UploadAsync(viewer, "nothing-" + Guid.NewGuid().ToString("N")[..8], "x.mp4", content)).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");

        Assert.Equal(missing["detail"]!.GetValue<string>(), existing["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task OperatorUpload_IntoANewProject_CreatesIt_WithTheOperatorAsItsOnlyMember()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var (_, otherOperator) = await fixture.NewUserAsync("operator");
        var projectId = "Site-" + Guid.NewGuid().ToString("N")[..10];
        var http = fixture.CreateClient();

        var videoId = await fixture.UploadVideoAsync(token, projectId, "first.mp4", fixture.Samples.Bytes("h264.mp4"));

        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", token)).ReadJsonAsync();
        Assert.Equal(projectId.ToLowerInvariant(), project["project_id"]!.GetValue<string>());
        Assert.Equal([operatorName], project["members"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(operatorName, project["created_by"]!.GetValue<string>());
        Assert.Equal([videoId], project["videos"]!.AsArray().Select(v => v!["video_id"]!.GetValue<string>()));
        // It is an ordinary project now: another operator is an outsider to it.
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", otherOperator)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.UploadAsync(otherOperator, projectId, "second.mp4", fixture.Samples.Bytes("h264.mp4"))).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        // The uploader can keep adding to it.
        await fixture.UploadVideoAsync(token, projectId, "second.webm", fixture.Samples.Bytes("vp8.webm"));
    }

    [Fact]
    public async Task VideoList_ShowsOnlyVideosOfReadableProjects_AndAdminSeesAll()
    {
        var first = await SceneAsync();
        var second = await SceneAsync();
        var (_, outsider) = await fixture.NewUserAsync("operator", "viewer");
        var http = fixture.CreateClient();

        var ofOutsider = await ListAsync(http, outsider);
        var ofFirstViewer = await ListAsync(http, first.ViewerToken);
        var ofAdmin = await ListAsync(http, await fixture.AdminTokenOnceAsync());

        Assert.Empty(ofOutsider);
        Assert.Equal([first.VideoId], ofFirstViewer);
        Assert.Contains(first.VideoId, ofAdmin);
        Assert.Contains(second.VideoId, ofAdmin);
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos?project_id={second.ProjectId}", first.ViewerToken)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal([second.VideoId], await ListAsync(http, await fixture.AdminTokenOnceAsync(), $"?project_id={second.ProjectId}"));
    }

    [Fact]
    public async Task RemovedMember_LosesAccess_AtOnce()
    {
        var scene = await SceneAsync();
        var http = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{scene.VideoId}", scene.ViewerToken)).StatusCode);

        var removed = await http.SendAsync(HttpMethod.Delete, $"/surveillance/projects/{scene.ProjectId}/members/{scene.Viewer}", await fixture.AdminTokenOnceAsync());

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{scene.VideoId}", scene.ViewerToken)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.DownloadAsync(scene.ViewerToken, scene.VideoId)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Empty(await ListAsync(http, scene.ViewerToken));
    }

    [Fact]
    public async Task Admin_ReadsDownloadsAndDeletes_WithoutBeingAMember()
    {
        var scene = await SceneAsync();
        var admin = await fixture.AdminTokenOnceAsync();
        var http = fixture.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{scene.VideoId}", admin)).StatusCode);
        Assert.Equal(scene.Content, await http.DownloadBytesAsync(admin, scene.VideoId));
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Delete, $"/surveillance/videos/{scene.VideoId}", admin)).StatusCode);
        Assert.False(File.Exists(fixture.StoredPath(scene.ProjectId, scene.VideoId)));
    }

    [Fact]
    public async Task VideoEndpoints_WithoutToken_Are401()
    {
        var scene = await SceneAsync();
        var http = fixture.CreateClient();

        foreach (var (method, path) in VideoEndpoints)
        {
            await (await http.SendAsync(method, string.Format(path, scene.VideoId), token: null)).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        await (await http.UploadAsync(null, scene.ProjectId, "anon.mp4", fixture.Samples.Bytes("h264.mp4"))).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Single(FilesUnder(Path.Combine(fixture.VideoPath, scene.ProjectId)));
    }

    private static readonly (HttpMethod Method, string Path)[] VideoEndpoints =
    [
        (HttpMethod.Get, "/surveillance/videos/{0}"),
        (HttpMethod.Get, "/surveillance/videos/{0}/content"),
        (HttpMethod.Delete, "/surveillance/videos/{0}"),
    ];

    private static async Task<string[]> ListAsync(HttpClient http, string token, string query = "")
    {
        var response = await http.SendAsync(HttpMethod.Get, "/surveillance/videos" + query, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJsonAsync())["videos"]!.AsArray().Select(v => v!["video_id"]!.GetValue<string>())];
    }

    /// <summary>A project with an operator and a viewer as members, and one video the operator uploaded.</summary>
    private async Task<Scene> SceneAsync()
    {
        var operatorTask = fixture.NewUserAsync("operator");
        var viewerTask = fixture.NewUserAsync("viewer");
        var (operatorName, operatorToken) = await operatorTask;
        var (viewer, viewerToken) = await viewerTask;
        var projectId = await fixture.NewProjectAsync(null, operatorName, viewer);
        var content = fixture.Samples.Bytes("h264.mov");
        var videoId = await fixture.UploadVideoAsync(operatorToken, projectId, "scene.mov", content);
        return new Scene(projectId, videoId, content, operatorToken, viewer, viewerToken);
    }

    private sealed record Scene(string ProjectId, string VideoId, byte[] Content, string OperatorToken, string Viewer, string ViewerToken);
}
