using System.Net;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Videos;

namespace Surveillance.Tests.Projects;

/// <summary>
/// Memberships name users, and a deleted user's name can be taken again. The attack: get an
/// account created under the name of a deleted colleague and read the projects (and footage)
/// that colleague was a member of. Deleting a user removes it from every project.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class RecreatedUsernameTests(VideosFixture fixture)
{
    [Fact]
    public async Task AccountRecreatedUnderADeletedUsersName_InheritsNoMembership_AndSeesNoProjectOrVideo()
    {
        var (name, oldToken) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: name);
        var otherProjectId = await fixture.NewProjectAsync(members: name);
        var videoId = await fixture.UploadVideoAsync(oldToken, projectId, "secret.mp4", fixture.Samples.Bytes("h264.mp4"));
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenOnceAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Delete, $"/admin/users/{name}", admin)).StatusCode);
        await http.CreateUserAsync(admin, name, TestSettings.UserPassword, "operator");
        var newToken = await http.LoginAsync(name, TestSettings.UserPassword);

        foreach (var id in new[] { projectId, otherProjectId })
        {
            var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{id}", admin)).ReadJsonAsync();
            Assert.DoesNotContain(name, project["members"]!.AsArray().Select(m => m!.GetValue<string>()));
            await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{id}", newToken)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        }

        var listed = await (await http.SendAsync(HttpMethod.Get, "/surveillance/projects", newToken)).ReadJsonAsync();
        Assert.Empty(listed["projects"]!.AsArray());
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}", newToken)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.DownloadAsync(newToken, videoId)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        var upload = await http.UploadAsync(newToken, projectId, "intruder.mp4", fixture.Samples.Bytes("h264.mp4"));
        await upload.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }
}
