using System.Diagnostics;
using System.Net;
using Npgsql;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Videos;

namespace Surveillance.Tests.Faults;

/// <summary>
/// Issue 12: PostgreSQL unreachable mid-run. The silo and the API reach the database only through
/// a <see cref="TcpProxy"/>; closing it resets every connection and refuses new ones. During the
/// outage every call answers 503 with Retry-After (or, for a read the cluster can serve from
/// memory, its normal answer) — never another 5xx; after it, everything works again within 10 s;
/// what was acknowledged before is still there, and what was refused during it left nothing behind.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(10);

    private TcpProxy _proxy = null!;
    private TestCluster _cluster = null!;
    private ApiHost _api = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString);
        _proxy = TcpProxy.Start(new IPEndPoint(IPAddress.Loopback, database.Port));
        database.Port = _proxy.Port;
        // Short connect timeouts: a refused connection fails at once, a hung one must not hold a call for 15 s.
        database.Timeout = 3;
        var settings = new TestSettings { Overrides = new() { ["ConnectionStrings:Orleans"] = database.ConnectionString } };
        _cluster = await TestCluster.StartAsync(settings);
        _api = KestrelApiFixture.StartOnKestrel(_cluster, new ExchangeRecorder(), out _port);
    }

    public async Task DisposeAsync()
    {
        _proxy.Open(); // let the silo stop cleanly, whatever the test did
        await _api.DisposeAsync();
        await _cluster.DisposeAsync();
        _proxy.Dispose();
    }

    [Fact]
    public async Task DatabaseOutage_Answers503WithRetryAfter_RecoversWithin10s_AndLosesNothingAcknowledged()
    {
        var video = (await SampleVideoCache.GetAsync()).Bytes("h264.mp4");
        var admin = await Http().LoginAsync("admin", TestSettings.AdminPassword);
        var before = await Http().CreateUserAsync(admin, roles: "viewer");
        var projectId = "outage" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Created, (await Http().SendAsync(HttpMethod.Post, "/surveillance/projects", admin, new { project_id = projectId, name = "outage" })).StatusCode);
        var uploaded = await Http().UploadAsync(admin, projectId, "before.mp4", video);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var videoId = (await uploaded.ReadJsonAsync())["video_id"]!.GetValue<string>();
        await WaitForProbeAsync(admin, videoId);

        _proxy.Close();

        var refusedUser = "refused" + Guid.NewGuid().ToString("N")[..8];
        var writes = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
        {
            ("login", () => Http().PostLoginAsync("admin", TestSettings.AdminPassword)),
            ("admin create user", () => Http().SendAsync(HttpMethod.Post, "/admin/users", admin,
                new { username = refusedUser, password = TestSettings.UserPassword, email = "r@example.test", roles = new[] { "viewer" } })),
            ("upload", () => Http().UploadAsync(admin, projectId, "during.mp4", video)),
            ("results", () => Http().SendAsync(HttpMethod.Post, $"/surveillance/videos/{videoId}/results", admin,
                new { model_version = "m1", frames = new[] { new { timestamp = 0.2, caption = "a red car" } } })),
        };
        var coldReads = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
        {
            // Grains not in memory must read the database to answer: 503, not 404 or 500.
            ("admin read of an unloaded account", () => Http().SendAsync(HttpMethod.Get, "/admin/users/never" + Guid.NewGuid().ToString("N")[..8], admin)),
            ("read of an unloaded project", () => Http().SendAsync(HttpMethod.Get, "/surveillance/projects/never" + Guid.NewGuid().ToString("N")[..8], admin)),
        };
        var warmReads = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
        {
            ("video metadata", () => Http().SendAsync(HttpMethod.Get, $"/surveillance/videos/{videoId}", admin)),
            ("search", () => Http().SendAsync(HttpMethod.Post, "/surveillance/search", admin, new { query = "a red car" })),
            ("admin list users", () => Http().SendAsync(HttpMethod.Get, "/admin/users", admin)),
        };

        foreach (var (name, call) in writes.Concat(coldReads))
        {
            await AssertUnavailableAsync(name, await call());
        }

        foreach (var (name, call) in warmReads)
        {
            var response = await call();
            if (!response.IsSuccessStatusCode)
            {
                await AssertUnavailableAsync(name, response);
            }
        }

        _proxy.Open();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var login = await Http().PostLoginAsync("admin", TestSettings.AdminPassword);
            if (login.StatusCode == HttpStatusCode.OK)
            {
                admin = (await login.ReadJsonAsync())["access_token"]!.GetValue<string>();
                break;
            }

            Assert.True(clock.Elapsed < RecoveryDeadline, $"login still answers {(int)login.StatusCode} {clock.Elapsed.TotalSeconds:F1} s after the database returned");
            await Task.Delay(250);
        }

        // Everything works again, within the same deadline.
        await EventuallyAsync(clock, "admin read", () => Http().SendAsync(HttpMethod.Get, $"/admin/users/{before}", admin), HttpStatusCode.OK);
        await EventuallyAsync(clock, "project read", () => Http().SendAsync(HttpMethod.Get, $"/surveillance/projects/{projectId}", admin), HttpStatusCode.OK);
        await EventuallyAsync(clock, "search", () => Http().SendAsync(HttpMethod.Post, "/surveillance/search", admin, new { query = "a red car" }), HttpStatusCode.OK);
        await EventuallyAsync(clock, "results", () => Http().SendAsync(HttpMethod.Post, $"/surveillance/videos/{videoId}/results", admin,
            new { model_version = "m1", frames = new[] { new { timestamp = 0.2, caption = "a red car" } } }), HttpStatusCode.OK);
        await EventuallyAsync(clock, "upload", () => Http().UploadAsync(admin, projectId, "after.mp4", video), HttpStatusCode.Created);

        // Acknowledged before: still there. Refused during: nothing half-done (the name is free, no video "during.mp4").
        var videos = await (await Http().SendAsync(HttpMethod.Get, $"/surveillance/videos?project_id={projectId}", admin)).ReadJsonAsync();
        var names = videos["videos"]!.AsArray().Select(v => v!["filename"]!.GetValue<string>()).ToList();
        Assert.Contains("before.mp4", names);
        Assert.DoesNotContain("during.mp4", names);
        Assert.Equal(HttpStatusCode.NotFound, (await Http().SendAsync(HttpMethod.Get, $"/admin/users/{refusedUser}", admin)).StatusCode);
        await Http().CreateUserAsync(admin, refusedUser, roles: "viewer");
    }

    private HttpClient Http() => new() { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(60) };

    private static async Task AssertUnavailableAsync(string name, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{name}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("SERVICE_UNAVAILABLE", (await response.ReadJsonAsync())["error_code"]!.GetValue<string>());
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"{name}: no Retry-After");
    }

    private static async Task EventuallyAsync(Stopwatch clock, string name, Func<Task<HttpResponseMessage>> call, HttpStatusCode expected)
    {
        while (true)
        {
            var response = await call();
            if (response.StatusCode == expected)
            {
                return;
            }

            Assert.True(clock.Elapsed < RecoveryDeadline,
                $"{name} still answers {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()} {clock.Elapsed.TotalSeconds:F1} s after the database returned");
            await Task.Delay(250);
        }
    }

    private async Task WaitForProbeAsync(string token, string videoId)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < VideosFixture.ProbeDeadline)
        {
            var job = await (await Http().SendAsync(HttpMethod.Get, $"/surveillance/jobs/{videoId}", token)).ReadJsonAsync();
            if (job["status"]!.GetValue<string>() is not ("queued" or "processing"))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the probe of {videoId} did not finish");
    }
}
