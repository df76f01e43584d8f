using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Videos;

/// <summary>
/// API.md "Videos": DELETE by an operator member or an admin is 204; the video key is destroyed
/// (crypto-shredding) and the file removed, so the video is gone everywhere.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class VideoDeleteTests(VideosFixture fixture)
{
    [Fact]
    public async Task Delete_Is204_ThenTheVideoIsGone_FromTheApi_TheProject_AndTheDisk()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var kept = await fixture.UploadVideoAsync(token, projectId, "kept.mp4", fixture.Samples.Bytes("h264.mp4"));
        var deleted = await fixture.UploadVideoAsync(token, projectId, "deleted.mkv", fixture.Samples.Bytes("h264.mkv"));
        var path = fixture.StoredPath(projectId, deleted);
        Assert.True(File.Exists(path));
        var http = fixture.CreateClient();

        var response = await http.SendAsync(HttpMethod.Delete, $"/surveillance/videos/{deleted}", token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{deleted}", token)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.DownloadAsync(token, deleted)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Delete, $"/surveillance/videos/{deleted}", token)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.False(File.Exists(path));
        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", token)).ReadJsonAsync();
        Assert.Equal([kept], project["videos"]!.AsArray().Select(v => v!["video_id"]!.GetValue<string>()));
        Assert.Equal(1, project["statistics"]!["video_count"]!.GetValue<int>());
        var list = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos?project_id={projectId}", token)).ReadJsonAsync();
        Assert.Equal([kept], list["videos"]!.AsArray().Select(v => v!["video_id"]!.GetValue<string>()));
        Assert.Equal(fixture.Samples.Bytes("h264.mp4"), await http.DownloadBytesAsync(token, kept));
    }

    /// <summary>Crypto-shredding: a backup of the encrypted file, put back after the delete, is not served again.</summary>
    [Fact]
    public async Task RestoredCopyOfTheFile_AfterDelete_IsNeverServed()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var videoId = await fixture.UploadVideoAsync(token, projectId, "shredded.webm", fixture.Samples.Bytes("vp8.webm"));
        var path = fixture.StoredPath(projectId, videoId);
        var backup = await File.ReadAllBytesAsync(path);
        var http = fixture.CreateClient();

        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Delete, $"/surveillance/videos/{videoId}", token)).StatusCode);
        await File.WriteAllBytesAsync(path, backup);

        await (await http.DownloadAsync(token, videoId)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.DownloadAsync(await fixture.AdminTokenOnceAsync(), videoId)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}", await fixture.AdminTokenOnceAsync())).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")] // well-formed, never issued
    [InlineData("not-a-video-id")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    public async Task UnknownOrMalformedVideoId_Is404_OnEveryVideoEndpoint(string videoId)
    {
        var admin = await fixture.AdminTokenOnceAsync();
        var http = fixture.CreateClient();

        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}", admin)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.DownloadAsync(admin, videoId)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Delete, $"/surveillance/videos/{videoId}", admin)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }
}
