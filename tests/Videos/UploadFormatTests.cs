using System.Net;
using System.Text;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Videos.VideoRequests;

namespace Surveillance.Tests.Videos;

/// <summary>
/// API.md "Videos": only .mp4 .avi .mov .mkv .webm whose first bytes are that container are
/// stored; anything else is 415 and leaves no record and no bytes behind.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class UploadFormatTests(VideosFixture fixture)
{
    public static TheoryData<string, string> Disguised() => new()
    {
        { "executable", "invoice.mp4" },
        { "text", "notes.mp4" },
        { "mp4", "clip.mkv" },
        { "webm", "clip.avi" },
        { "avi", "clip.mov" },
        { "mkv", "clip.webm" },
        { "mp4", "noextension" },
        { "mp4", "clip.mp4.exe" },
        { "mp4", "clip.mp4 " },
        { "html", "page.webm" },
        { "zip", "archive.mp4" },
        { "empty", "empty.mp4" },
    };

    [Theory]
    [MemberData(nameof(Disguised))]
    public async Task DisguisedOrForeignContent_Is415_AndNothingIsStored(string content, string fileName)
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        var http = fixture.CreateClient();

        var response = await http.UploadAsync(token, projectId, fileName, Content(content));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_FORMAT");
        AssertNothingStored(fixture.VideoPath, projectId);
        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", await fixture.AdminTokenOnceAsync())).ReadJsonAsync();
        Assert.Empty(project["videos"]!.AsArray());
        var list = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos?project_id={projectId}", token)).ReadJsonAsync();
        Assert.Empty(list["videos"]!.AsArray());
    }

    [Fact]
    public async Task RefusedUpload_IntoANewProject_DoesNotCreateTheProject()
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var projectId = "new-" + Guid.NewGuid().ToString("N")[..10];
        var http = fixture.CreateClient();

        var response = await http.UploadAsync(token, projectId, "malware.mp4", Content("executable"));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_FORMAT");
        AssertNothingStored(fixture.VideoPath, projectId);
        var project = await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", await fixture.AdminTokenOnceAsync());
        await project.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("CLIP.MP4")]
    [InlineData("Clip.Mp4")]
    public async Task Extension_IsCaseInsensitive(string fileName)
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var projectId = "c-" + Guid.NewGuid().ToString("N")[..10];

        var response = await fixture.CreateClient().UploadAsync(token, projectId, fileName, fixture.Samples.Bytes("h264.mp4"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(fileName, (await response.ReadJsonAsync())["filename"]!.GetValue<string>());
    }

    private byte[] Content(string kind) => kind switch
    {
        "executable" => Executable(),
        "text" => Encoding.UTF8.GetBytes("camera 3 notes: nothing happened tonight\n"),
        "html" => Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"),
        "zip" => [0x50, 0x4B, 0x03, 0x04, .. new byte[200]],
        "empty" => [],
        "mp4" => fixture.Samples.Bytes("h264.mp4"),
        "avi" => fixture.Samples.Bytes("mpeg4.avi"),
        "mkv" => fixture.Samples.Bytes("h264.mkv"),
        "webm" => fixture.Samples.Bytes("vp8.webm"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static byte[] Executable()
    {
        var executable = new byte[4096];
        "MZ"u8.CopyTo(executable);
        "This program cannot be run in DOS mode."u8.CopyTo(executable.AsSpan(0x4E));
        return executable;
    }
}
