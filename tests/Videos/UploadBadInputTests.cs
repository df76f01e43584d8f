using System.Net;
using System.Net.Http.Json;
using System.Text;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Videos.VideoRequests;

namespace Surveillance.Tests.Videos;

/// <summary>
/// API.md "General": bad input is a 4xx problem+json naming the cause, never a 500, and a refused
/// upload leaves no record and no stored bytes behind.
/// </summary>
[Collection(SharedVideosCluster.Name)]
public sealed class UploadBadInputTests(VideosFixture fixture)
{
    [Fact]
    public async Task Upload_WithoutFile_Is400()
    {
        var (projectId, token) = await MemberProjectAsync();

        var response = await fixture.CreateClient().PostMultipartAsync(token, new RawMultipart().Field("project_id", projectId).Field("description", "x").End());

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("file", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Upload_WithoutProjectId_Is400_AndStoresNothing()
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var before = FilesUnder(fixture.VideoPath).Length;

        var response = await fixture.CreateClient().PostMultipartAsync(token, new RawMultipart().File("clip.mp4", Mp4()).End());

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("project_id", problem["detail"]!.GetValue<string>());
        Assert.Equal(before, FilesUnder(fixture.VideoPath).Length);
    }

    /// <summary>The file is streamed to storage as it arrives, so the project it belongs to must be known (and checked) first.</summary>
    [Fact]
    public async Task ProjectId_AfterTheFile_Is400_AndStoresNothing()
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var projectId = "late-" + Guid.NewGuid().ToString("N")[..10];
        var http = fixture.CreateClient();

        var response = await http.PostMultipartAsync(token, new RawMultipart().File("clip.mp4", Mp4()).Field("project_id", projectId).End());

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("project_id", problem["detail"]!.GetValue<string>());
        AssertNothingStored(fixture.VideoPath, projectId);
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", await fixture.AdminTokenOnceAsync())).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    public static TheoryData<string, string> InvalidProjectIds() => new()
    {
        { new string('a', 101), "VALIDATION_ERROR" },
        { "has space", "VALIDATION_ERROR" },
        { "dot.ted", "VALIDATION_ERROR" },
        { "ünïcode", "VALIDATION_ERROR" },
        { "a/b", "VALIDATION_ERROR" },
        { "", "VALIDATION_ERROR" },
        { "../x", "SUSPICIOUS_INPUT" },
    };

    [Theory]
    [MemberData(nameof(InvalidProjectIds))]
    public async Task InvalidProjectId_InTheForm_Is400_AndStoresNothing(string projectId, string errorCode)
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var before = FilesUnder(fixture.VideoPath).Length;

        var response = await fixture.CreateClient().UploadAsync(token, projectId, "clip.mp4", Mp4());

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, errorCode);
        Assert.Equal(before, FilesUnder(fixture.VideoPath).Length);
    }

    [Theory]
    [InlineData("has%20space", "VALIDATION_ERROR")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "VALIDATION_ERROR")]
    [InlineData("..%2Fx", "SUSPICIOUS_INPUT")]
    public async Task InvalidProjectId_InTheQuery_Is400(string projectId, string errorCode)
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var form = new RawMultipart().File("clip.mp4", Mp4()).End();

        var response = await fixture.CreateClient().PostMultipartAsync(token, form, $"/surveillance/upload?project_id={projectId}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, errorCode);
    }

    [Fact]
    public async Task ProjectId_OfExactly100Characters_IsAccepted()
    {
        var (_, token) = await fixture.NewUserAsync("operator");
        var projectId = ("p" + Guid.NewGuid().ToString("N")).PadRight(100, 'x');

        var response = await fixture.CreateClient().UploadAsync(token, projectId, "clip.mp4", Mp4());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(projectId, (await response.ReadJsonAsync())["project_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Description_Over500Characters_BeforeTheFile_Is400()
    {
        var (projectId, token) = await MemberProjectAsync();
        var form = new RawMultipart().Field("project_id", projectId).Field("description", new string('d', 501)).File("clip.mp4", Mp4()).End();

        var response = await fixture.CreateClient().PostMultipartAsync(token, form);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNothingStored(fixture.VideoPath, projectId);
    }

    [Fact]
    public async Task Description_Over500Characters_AfterTheFile_Is400_AndTheStoredFileIsRemoved()
    {
        var (projectId, token) = await MemberProjectAsync();

        var response = await fixture.CreateClient().UploadAsync(token, projectId, "clip.mp4", Mp4(), new string('d', 501));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNothingStored(fixture.VideoPath, projectId);
        await AssertNoVideosAsync(projectId);
    }

    [Fact]
    public async Task Description_IsCleaned_OfMarkupQuotesAndControls()
    {
        var (projectId, token) = await MemberProjectAsync();

        var response = await fixture.CreateClient().UploadAsync(token, projectId, "clip.mp4", Mp4(), "  <b>Gate</b> \"3\"\r\n'night'  ");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var videoId = (await response.ReadJsonAsync())["video_id"]!.GetValue<string>();
        var video = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}", token)).ReadJsonAsync();
        Assert.Equal("bGate/b 3night", video["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task JsonBody_ToUpload_Is415()
    {
        var (projectId, token) = await MemberProjectAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/surveillance/upload")
        {
            Content = JsonContent.Create(new { project_id = projectId, file = Convert.ToBase64String(Mp4()) }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        var response = await fixture.CreateClient().SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_FORMAT");
        AssertNothingStored(fixture.VideoPath, projectId);
    }

    [Fact]
    public async Task RawVideoBody_WithoutMultipart_Is415()
    {
        var (projectId, token) = await MemberProjectAsync();
        var body = new ByteArrayContent(Mp4());
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("video/mp4");

        var response = await fixture.CreateClient().PostMultipartAsync(token, body, $"/surveillance/upload?project_id={projectId}");

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_FORMAT");
        AssertNothingStored(fixture.VideoPath, projectId);
    }

    [Fact]
    public async Task TwoFiles_Is400_AndNeitherIsKept()
    {
        var (projectId, token) = await MemberProjectAsync();
        var form = new RawMultipart().Field("project_id", projectId).File("one.mp4", Mp4()).File("two.mp4", Mp4()).End();

        var response = await fixture.CreateClient().PostMultipartAsync(token, form);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNothingStored(fixture.VideoPath, projectId);
        await AssertNoVideosAsync(projectId);
    }

    [Fact]
    public async Task FileInAnotherField_Is400()
    {
        var (projectId, token) = await MemberProjectAsync();
        var form = new RawMultipart().Field("project_id", projectId).File("clip.mp4", Mp4(), name: "video").End();

        var response = await fixture.CreateClient().PostMultipartAsync(token, form);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNothingStored(fixture.VideoPath, projectId);
    }

    [Fact]
    public async Task ProjectId_GivenTwiceWithDifferentValues_Is400()
    {
        var (projectId, token) = await MemberProjectAsync();
        var (otherProject, _) = await MemberProjectAsync();
        var form = new RawMultipart().Field("project_id", projectId).Field("project_id", otherProject).File("clip.mp4", Mp4()).End();

        var response = await fixture.CreateClient().PostMultipartAsync(token, form);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNothingStored(fixture.VideoPath, projectId);
        AssertNothingStored(fixture.VideoPath, otherProject);
    }

    [Fact]
    public async Task FormField_Over8KiB_Is400()
    {
        var (projectId, token) = await MemberProjectAsync();
        var form = new RawMultipart().Field("project_id", projectId).Field("comment", new string('c', 9000)).File("clip.mp4", Mp4()).End();

        var response = await fixture.CreateClient().PostMultipartAsync(token, form);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNothingStored(fixture.VideoPath, projectId);
    }

    [Fact]
    public async Task MultipartContentType_WithoutBoundary_Is400()
    {
        var (projectId, token) = await MemberProjectAsync();
        var body = new ByteArrayContent(Encoding.UTF8.GetBytes("--x\r\n"));
        body.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");

        var response = await fixture.CreateClient().PostMultipartAsync(token, body, $"/surveillance/upload?project_id={projectId}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    /// <summary>A client that stops mid-file (or a body cut by a proxy) is the client's fault, not a server error.</summary>
    [Fact]
    public async Task TruncatedMultipart_EndingInsideTheFile_Is400_AndStoresNothing()
    {
        var (projectId, token) = await MemberProjectAsync();
        var mp4 = Mp4();
        var form = new RawMultipart()
            .Field("project_id", projectId)
            .Bytes($"--{RawMultipart.Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.mp4\"\r\n\r\n")
            .Bytes(mp4[..(mp4.Length / 2)]);

        var response = await fixture.CreateClient().PostMultipartAsync(token, form);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNothingStored(fixture.VideoPath, projectId);
        await AssertNoVideosAsync(projectId);
    }

    [Fact]
    public async Task EmptyMultipartBody_Is400()
    {
        var (projectId, token) = await MemberProjectAsync();

        var response = await fixture.CreateClient().PostMultipartAsync(token, new RawMultipart().WithLength(0));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNothingStored(fixture.VideoPath, projectId);
    }

    [Fact]
    public async Task OversizedPartHeaders_Are400()
    {
        var (projectId, token) = await MemberProjectAsync();
        var form = new RawMultipart()
            .Field("project_id", projectId)
            .Bytes($"--{RawMultipart.Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\nX-Padding: {new string('p', 20_000)}\r\n\r\n")
            .Bytes(Mp4())
            .Bytes("\r\n")
            .End();

        var response = await fixture.CreateClient().PostMultipartAsync(token, form);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertNothingStored(fixture.VideoPath, projectId);
    }

    private byte[] Mp4() => fixture.Samples.Bytes("h264.mp4");

    private async Task<(string ProjectId, string Token)> MemberProjectAsync()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        return (await fixture.NewProjectAsync(members: operatorName), token);
    }

    private async Task AssertNoVideosAsync(string projectId)
    {
        var project = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", await fixture.AdminTokenOnceAsync())).ReadJsonAsync();
        Assert.Empty(project["videos"]!.AsArray());
    }
}
