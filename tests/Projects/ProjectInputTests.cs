using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Videos;

namespace Surveillance.Tests.Projects;

/// <summary>API.md "Projects" and "General": malformed project requests are 4xx problem+json, never a 500.</summary>
[Collection(SharedVideosCluster.Name)]
public sealed class ProjectInputTests(VideosFixture fixture)
{
    [Fact]
    public async Task CreateProject_Is201_WithTheIdStoredLowerCase()
    {
        var projectId = "North-Gate_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var http = fixture.CreateClient();

        var response = await http.SendAsync(HttpMethod.Post, "/surveillance/projects", await fixture.AdminTokenOnceAsync(),
            new { project_id = projectId, name = "  North gate  ", description = "Cameras 1-4", retention_days = 90 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var project = await response.ReadJsonAsync();
        Assert.Equal(projectId.ToLowerInvariant(), project["project_id"]!.GetValue<string>());
        Assert.Equal("North gate", project["name"]!.GetValue<string>());
        Assert.Equal("Cameras 1-4", project["description"]!.GetValue<string>());
        Assert.Equal(90, project["retention_days"]!.GetValue<int>());
        Assert.Empty(project["members"]!.AsArray());
        Assert.EndsWith($"/surveillance/projects/{projectId.ToLowerInvariant()}", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", await fixture.AdminTokenOnceAsync())).StatusCode);
    }

    public static TheoryData<string, string> InvalidCreations() => new()
    {
        { """{"name":"No id"}""", "VALIDATION_ERROR" },
        { """{"project_id":"","name":"Empty id"}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}"}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":""}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":"   "}""", "VALIDATION_ERROR" },
        { """{"project_id":"has space","name":"x"}""", "VALIDATION_ERROR" },
        { """{"project_id":"dot.ted","name":"x"}""", "VALIDATION_ERROR" },
        { """{"project_id":"ünï","name":"x"}""", "VALIDATION_ERROR" },
        { """{"project_id":"../etc","name":"x"}""", "SUSPICIOUS_INPUT" },
        { "{\"project_id\":\"" + new string('a', 101) + "\",\"name\":\"x\"}", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":"x","retention_days":0}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":"x","retention_days":-1}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":"x","retention_days":36501}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":"x","retention_days":"x"}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":"x","retention_days":1.5}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":"x","retention_days":99999999999}""", "VALIDATION_ERROR" },
        { """{"project_id":42,"name":"x"}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":["x"]}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":"x","description":{"a":1}}""", "VALIDATION_ERROR" },
        { "{\"project_id\":\"ok-id-{0}\",\"name\":\"x\",\"description\":\"" + new string('d', 1001) + "\"}", "VALIDATION_ERROR" },
        { "{\"project_id\":\"ok-id-{0}\",\"name\":\"" + new string('n', 201) + "\"}", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}","name":"tab\there"}""", "VALIDATION_ERROR" },
        { """{"project_id":"ok-id-{0}",""", "VALIDATION_ERROR" },
        { "[]", "VALIDATION_ERROR" },
        { "null", "VALIDATION_ERROR" },
        { "", "VALIDATION_ERROR" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreations))]
    public async Task CreateProject_WithInvalidBody_Is400_AndCreatesNothing(string template, string errorCode)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var body = template.Replace("{0}", suffix, StringComparison.Ordinal);

        var response = await PostRawAsync("/surveillance/projects", body);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, errorCode);
        var probe = await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/projects/ok-id-{suffix}", await fixture.AdminTokenOnceAsync());
        await probe.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task CreateProject_WithTheIdOfAnExistingOne_InAnyCase_Is409_AndChangesNothing()
    {
        var projectId = await fixture.NewProjectAsync(7);
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenOnceAsync();

        var same = await http.SendAsync(HttpMethod.Post, "/surveillance/projects", admin, new { project_id = projectId, name = "Takeover" });
        var upper = await http.SendAsync(HttpMethod.Post, "/surveillance/projects", admin, new { project_id = projectId.ToUpperInvariant(), name = "Takeover" });

        await same.AssertProblemAsync(HttpStatusCode.Conflict, "CONFLICT");
        await upper.AssertProblemAsync(HttpStatusCode.Conflict, "CONFLICT");
        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", admin)).ReadJsonAsync();
        Assert.Equal("Project " + projectId, project["name"]!.GetValue<string>());
        Assert.Equal(7, project["retention_days"]!.GetValue<int>());
    }

    public static TheoryData<string> InvalidPatches() =>
    [
        """{"name":42}""",
        """{"name":""}""",
        """{"name":["x"]}""",
        """{"description":true}""",
        """{"retention_days":"x"}""",
        """{"retention_days":"5"}""",
        """{"retention_days":1.5}""",
        """{"retention_days":0}""",
        """{"retention_days":-1}""",
        """{"retention_days":{"days":1}}""",
        """{"retention_days":99999999999}""",
        "[]",
        "null",
        "{",
    ];

    [Theory]
    [MemberData(nameof(InvalidPatches))]
    public async Task PatchProject_WithWrongTypesOrValues_Is400_AndChangesNothing(string body)
    {
        var projectId = await fixture.NewProjectAsync(3);

        var response = await PostRawAsync($"/surveillance/projects/{projectId}", body, HttpMethod.Patch);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        var project = await (await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", await fixture.AdminTokenOnceAsync())).ReadJsonAsync();
        Assert.Equal("Project " + projectId, project["name"]!.GetValue<string>());
        Assert.Equal(3, project["retention_days"]!.GetValue<int>());
    }

    [Fact]
    public async Task PatchProject_ChangesOnlyTheGivenFields_AndNullClearsTheRetention()
    {
        var projectId = await fixture.NewProjectAsync(3);
        var http = fixture.CreateClient();
        var admin = await fixture.AdminTokenOnceAsync();

        var renamed = await http.SendAsync(HttpMethod.Patch, $"/surveillance/projects/{projectId}", admin, new { name = "Renamed" });
        var cleared = await PostRawAsync($"/surveillance/projects/{projectId}", """{"retention_days":null,"description":"Lot B"}""", HttpMethod.Patch);

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(3, (await renamed.ReadJsonAsync())["retention_days"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        var project = await cleared.ReadJsonAsync();
        Assert.Equal("Renamed", project["name"]!.GetValue<string>());
        Assert.Equal("Lot B", project["description"]!.GetValue<string>());
        Assert.Null(project["retention_days"]);
    }

    [Fact]
    public async Task PatchOrMembers_OfAMissingProject_Are404()
    {
        var admin = await fixture.AdminTokenOnceAsync();
        var http = fixture.CreateClient();
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..8];

        await (await http.SendAsync(HttpMethod.Patch, $"/surveillance/projects/{missing}", admin, new { name = "x" })).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Put, $"/surveillance/projects/{missing}/members/admin", admin)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Delete, $"/surveillance/projects/{missing}/members/admin", admin)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{new string('a', 101)}", admin)).AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("nobody-{0}")]
    [InlineData("NOT A NAME")]
    [InlineData("x")]
    public async Task AddMember_ForAnUnknownOrInvalidUser_Is404_AndAddsNobody(string template)
    {
        var projectId = await fixture.NewProjectAsync();
        var username = template.Replace("{0}", Guid.NewGuid().ToString("N")[..8], StringComparison.Ordinal);
        var admin = await fixture.AdminTokenOnceAsync();
        var http = fixture.CreateClient();

        var response = await http.SendAsync(HttpMethod.Put, $"/surveillance/projects/{projectId}/members/{Uri.EscapeDataString(username)}", admin);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        var project = await (await http.SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", admin)).ReadJsonAsync();
        Assert.Empty(project["members"]!.AsArray());
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=-1")]
    [InlineData("?limit=1001")]
    [InlineData("?limit=abc")]
    public async Task VideoList_WithAnOutOfRangeLimit_Is400(string query)
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/surveillance/videos" + query, await fixture.AdminTokenOnceAsync());

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task VideoList_Limit_CapsTheNumberOfVideos()
    {
        var (operatorName, token) = await fixture.NewUserAsync("operator");
        var projectId = await fixture.NewProjectAsync(members: operatorName);
        for (var i = 0; i < 3; i++)
        {
            await fixture.UploadVideoAsync(token, projectId, $"v{i}.mp4", fixture.Samples.Bytes("h264.mp4"));
        }

        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/surveillance/videos?limit=2", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.ReadJsonAsync())["videos"]!.AsArray().Count);
    }

    private async Task<HttpResponseMessage> PostRawAsync(string path, string body, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.AdminTokenOnceAsync());
        return await fixture.CreateClient().SendAsync(request);
    }
}
