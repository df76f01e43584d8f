using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Surveillance.Silo.Schema;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Storage;
using Surveillance.Tests.Videos;

namespace Surveillance.Tests.Backup;

/// <summary>
/// A system on a database of its own, filled through the API with everything a restore must bring
/// back (users, projects, videos with results, a revoked session, a deactivated account, an IP
/// block, audit entries), backed up with scripts/backup.sh while it runs, then stopped and wiped:
/// the database dropped and created empty again, the video directory deleted. What it looked like
/// is kept in <see cref="Before"/>.
/// </summary>
public sealed class BackedUpSystem : IAsyncLifetime
{
    public const string Query = "red car near the gate";
    private static readonly TimeSpan ProbeDeadline = TimeSpan.FromSeconds(90);

    public string Root { get; } = Directory.CreateTempSubdirectory("surveillance-backup-").FullName;
    public BackupDatabase Database { get; private set; } = null!;
    public TestSettings Settings { get; private set; } = null!;
    public BackupKeys Keys { get; private set; } = null!;

    /// <summary>The data set scripts/backup.sh wrote.</summary>
    public string Set { get; private set; } = "";

    public Snapshot Before { get; private set; } = null!;

    public string SetsDirectory => Path.Combine(Root, "sets");

    public async Task InitializeAsync()
    {
        var samples = await SampleVideoCache.GetAsync();
        Database = await BackupDatabase.CreateAsync("backup");
        await SchemaMigrator.ApplyAsync(Database.OwnerConnectionString, SchemaMigrator.RoleOf(Database.RuntimeConnectionString), NullLogger.Instance);
        Settings = new TestSettings
        {
            VideoPath = Path.Combine(Root, "videos"),
            Overrides = { ["ConnectionStrings:Orleans"] = Database.RuntimeConnectionString },
        };
        Keys = await BackupScripts.InitKeysAsync(Root, "data-keys");

        await using (var system = await RunningSystem.StartAsync(Settings))
        {
            Before = await FillAsync(system, samples);
            var backup = await BackupScripts.RunOnDatabaseAsync("backup.sh", Database.BackupConnectionString,
                "data", "--out", SetsDirectory, "--videos", Settings.VideoPath,
                "--recipient-file", Keys.Recipient, "--signing-key", Keys.SigningKey);
            Assert.True(backup.ExitCode == 0, backup.ToString());
            Set = backup.Output;
        }

        await Database.DropAsync();
        await Database.CreateEmptyAsync();
        Directory.Delete(Settings.VideoPath, recursive: true);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    private static async Task<Snapshot> FillAsync(RunningSystem system, SampleVideos samples)
    {
        var http = system.Api.CreateClient();
        var admin = await system.AdminTokenAsync();

        // Users: an operator who keeps working, a viewer with one revoked and one live session,
        // and an account that was deactivated.
        var operatorName = await http.CreateUserAsync(admin, password: TestSettings.UserPassword, roles: "operator");
        var viewer = await http.CreateUserAsync(admin, password: TestSettings.UserPassword, roles: "viewer");
        var deactivated = await http.CreateUserAsync(admin, password: TestSettings.UserPassword, roles: "viewer");
        var revokedToken = await http.LoginAsync(viewer, TestSettings.UserPassword);
        var liveToken = await http.LoginAsync(viewer, TestSettings.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Post, "/auth/logout", revokedToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Patch, $"/admin/users/{deactivated}", admin, new { is_active = false })).StatusCode);

        // Two projects, three videos in three containers, results on two of them.
        var videos = new Dictionary<string, string>(StringComparer.Ordinal);
        var gate = await system.NewProjectAsync(admin, operatorName);
        var yard = await system.NewProjectAsync(admin, operatorName);
        var operatorToken = await http.LoginAsync(operatorName, TestSettings.UserPassword);
        var first = await system.UploadProbedAsync(operatorToken, gate, "gate.mp4", samples.Bytes("h264.mp4"), videos);
        var second = await system.UploadProbedAsync(admin, yard, "yard.webm", samples.Bytes("vp8.webm"), videos);
        await system.UploadProbedAsync(admin, yard, "loading-dock.avi", samples.Bytes("mpeg4.avi"), videos);
        await system.PostResultsAsync(admin, first, ("a red car parked near the north gate", "car"), ("a dog sleeping on the office carpet", "dog"));
        await system.PostResultsAsync(admin, second, ("a person dropping a bag near the entrance", "person"), ("a red truck by the yard gate", "truck"));
        await system.WaitUntilSearchableAsync(admin, frames: 4);

        // A manual block.
        const string blockedIp = "203.0.113.77";
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(HttpMethod.Post, "/admin/security/blocked-ips", admin,
            new { ip = blockedIp, reason = "backup test", duration_seconds = 86400 })).StatusCode);

        var verify = await (await http.SendAsync(HttpMethod.Get, "/admin/audit/verify", admin)).ReadJsonAsync();
        Assert.True(verify["valid"]!.GetValue<bool>(), verify.ToJsonString());
        return new Snapshot(
            videos,
            await system.SearchAsync(admin, threshold: null),
            await system.SearchAsync(admin, threshold: 0),
            operatorName, viewer, deactivated, revokedToken, liveToken, blockedIp,
            verify["entries_checked"]!.GetValue<long>());
    }

    /// <summary>What the system held when it was backed up.</summary>
    public sealed record Snapshot(
        IReadOnlyDictionary<string, string> VideoSha256,
        IReadOnlyList<string> Hits,
        IReadOnlyList<string> Ranking,
        string Operator,
        string Viewer,
        string DeactivatedUser,
        string RevokedToken,
        string LiveToken,
        string BlockedIp,
        long AuditEntries);

    /// <summary>A cluster and an API instance on the given settings, with the requests the scenario makes.</summary>
    public sealed class RunningSystem : IAsyncDisposable
    {
        private RunningSystem(TestCluster cluster) => (Cluster, Api) = (cluster, new ApiHost(cluster));

        public TestCluster Cluster { get; }
        public ApiHost Api { get; }

        public static async Task<RunningSystem> StartAsync(TestSettings settings) => new(await TestCluster.StartAsync(settings));

        public Task<string> AdminTokenAsync() => Api.CreateClient().LoginAsync("admin", TestSettings.AdminPassword);

        public async Task<string> NewProjectAsync(string admin, string member)
        {
            var projectId = "p-" + Guid.NewGuid().ToString("N")[..12];
            var http = Api.CreateClient();
            Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(HttpMethod.Post, "/surveillance/projects", admin,
                new { project_id = projectId, name = "Project " + projectId })).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(HttpMethod.Put, $"/surveillance/projects/{projectId}/members/{member}", admin)).StatusCode);
            return projectId;
        }

        /// <summary>Uploads, waits for the probe to finish, records the SHA-256 of what was sent; returns the video id.</summary>
        public async Task<string> UploadProbedAsync(string token, string projectId, string fileName, byte[] content, Dictionary<string, string> sha256)
        {
            var http = Api.CreateClient();
            var response = await http.UploadAsync(token, projectId, fileName, content);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var videoId = (await response.ReadJsonAsync())["video_id"]!.GetValue<string>();
            var clock = Stopwatch.StartNew();
            string status;
            do
            {
                await Task.Delay(50);
                status = (await (await http.SendAsync(HttpMethod.Get, $"/surveillance/jobs/{videoId}", token)).ReadJsonAsync())["status"]!.GetValue<string>();
            }
            while (status is "queued" or "processing" && clock.Elapsed < ProbeDeadline);

            Assert.Equal("awaiting_results", status);
            sha256[videoId] = VideoRequests.Sha256Hex(content);
            return videoId;
        }

        public async Task PostResultsAsync(string token, string videoId, params (string Caption, string Object)[] frames)
        {
            var body = new
            {
                model_version = "backup-test",
                frames = frames.Select((f, i) => new
                {
                    timestamp = 0.1 + (i * 0.2),
                    caption = f.Caption,
                    detected_objects = new[] { new { @class = f.Object, confidence = 0.9, bbox = new[] { 1.0, 2.0, 30.0, 20.0 } } },
                }).ToArray(),
            };
            var response = await Api.CreateClient().SendAsync(HttpMethod.Post, $"/surveillance/videos/{videoId}/results", token, body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        /// <summary>Indexing follows results asynchronously (and a restored index reloads on activation): polls, bounded.</summary>
        public async Task WaitUntilSearchableAsync(string token, int frames)
        {
            var clock = Stopwatch.StartNew();
            while ((await SearchAsync(token, threshold: 0)).Count < frames)
            {
                Assert.True(clock.Elapsed < ProbeDeadline, $"fewer than {frames} frames searchable after {ProbeDeadline.TotalSeconds} s");
                await Task.Delay(100);
            }
        }

        /// <summary>The frame ids <see cref="Query"/> finds in every project, best first, with their scores rounded to 4 places.</summary>
        public async Task<IReadOnlyList<string>> SearchAsync(string token, double? threshold)
        {
            var response = await Api.CreateClient().SendAsync(HttpMethod.Post, "/surveillance/search", token,
                threshold is { } t ? new { query = Query, threshold = t, limit = 100 } : new { query = Query, threshold = 0.7, limit = 100 });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.ReadJsonAsync())["results"]!.AsArray()
                .Select(hit => string.Create(CultureInfo.InvariantCulture, $"{hit!["frame_id"]!.GetValue<string>()} {hit["similarity_score"]!.GetValue<double>():F4}"))
                .ToList();
        }

        public async ValueTask DisposeAsync()
        {
            await Api.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedBackedUpSystem : ICollectionFixture<BackedUpSystem>
{
    public const string Name = "Backup and restore";
}
