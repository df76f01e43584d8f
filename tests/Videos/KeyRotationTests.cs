using System.Net;
using System.Security.Cryptography;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Storage;

namespace Surveillance.Tests.Videos;

/// <summary>
/// API.md "Administration": POST /admin/keys/rotate makes the configured master key active and
/// re-wraps every video key under it, so the old master key can be retired without losing a
/// video. Each phase is a fresh cluster over the same database rows and video directory.
/// </summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private readonly string _videoPath = Path.Combine(Path.GetTempPath(), "surveillance-tests", Guid.NewGuid().ToString("N"));
    private SampleVideos _samples = null!;

    [Fact]
    public async Task Rotation_KeepsEveryVideoReadable_AlsoAfterTheOldMasterKeyIsRemoved()
    {
        var (k1, k2) = (NewMasterKey(), NewMasterKey());
        var withK1 = new TestSettings { VideoPath = _videoPath, MasterKeys = new() { ["k1"] = k1 }, ActiveKeyId = "k1" };
        var withBoth = SameServiceWithKeys(withK1, new() { ["k1"] = k1, ["k2"] = k2 }, "k2");
        var withK2 = SameServiceWithKeys(withK1, new() { ["k2"] = k2 }, "k2");
        var mp4 = _samples.Bytes("h264.mp4");
        var webm = _samples.Bytes("vp8.webm");
        string first, second, third;
        var projectId = "rotation";

        await using (var api = await RunningApi.StartAsync(withK1))
        {
            var admin = await api.AdminTokenAsync();
            first = await UploadAsync(api, admin, projectId, "first.mp4", mp4);
            second = await UploadAsync(api, admin, projectId, "second.webm", webm);
        }

        await using (var api = await RunningApi.StartAsync(withBoth))
        {
            var admin = await api.AdminTokenAsync();
            var http = api.CreateClient();
            Assert.Equal(mp4, await http.DownloadBytesAsync(admin, first)); // k1 still configured: readable before the rotation

            var operatorToken = await NewOperatorTokenAsync(api, admin);
            await (await http.SendAsync(HttpMethod.Post, "/admin/keys/rotate", operatorToken)).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");

            var rotation = await http.SendAsync(HttpMethod.Post, "/admin/keys/rotate", admin);

            Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
            var result = await rotation.ReadJsonAsync();
            Assert.Equal("k2", result["active_key_id"]!.GetValue<string>());
            Assert.Equal(2, result["rewrapped"]!.GetValue<int>());
            Assert.Equal(mp4, await http.DownloadBytesAsync(admin, first));
            Assert.Equal(webm, await http.DownloadBytesAsync(admin, second));

            // Nothing is left under k1, so a second rotation has nothing to do.
            var again = await (await http.SendAsync(HttpMethod.Post, "/admin/keys/rotate", admin)).ReadJsonAsync();
            Assert.Equal(0, again["rewrapped"]!.GetValue<int>());
            third = await UploadAsync(api, admin, projectId, "third.mp4", mp4);
        }

        await using (var api = await RunningApi.StartAsync(withK2))
        {
            var admin = await api.AdminTokenAsync();
            var http = api.CreateClient();
            Assert.Equal(mp4, await http.DownloadBytesAsync(admin, first));
            Assert.Equal(webm, await http.DownloadBytesAsync(admin, second));
            Assert.Equal(mp4, await http.DownloadBytesAsync(admin, third));
        }
    }

    /// <summary>The control: without a rotation, the videos do depend on the old key, and a missing key is an error, not a silent success.</summary>
    [Fact]
    public async Task WithoutRotation_RemovingTheOldMasterKey_LeavesTheVideosUnreadable()
    {
        var (k1, k2) = (NewMasterKey(), NewMasterKey());
        var withK1 = new TestSettings { VideoPath = _videoPath, MasterKeys = new() { ["k1"] = k1 }, ActiveKeyId = "k1" };
        var withK2 = SameServiceWithKeys(withK1, new() { ["k2"] = k2 }, "k2");
        string videoId;

        await using (var api = await RunningApi.StartAsync(withK1))
        {
            videoId = await UploadAsync(api, await api.AdminTokenAsync(), "no-rotation", "clip.mp4", _samples.Bytes("h264.mp4"));
        }

        await using (var api = await RunningApi.StartAsync(withK2))
        {
            var admin = await api.AdminTokenAsync();
            var download = await api.CreateClient().DownloadAsync(admin, videoId);

            await download.AssertProblemAsync(HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        }
    }

    public async Task InitializeAsync() => _samples = await SampleVideoCache.GetAsync();

    public Task DisposeAsync()
    {
        if (Directory.Exists(_videoPath))
        {
            Directory.Delete(_videoPath, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static string NewMasterKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The same service (ids, secrets, database rows, video directory) with other master keys.</summary>
    private static TestSettings SameServiceWithKeys(TestSettings settings, Dictionary<string, string> keys, string activeKeyId) => new()
    {
        ServiceId = settings.ServiceId,
        JwtSecret = settings.JwtSecret,
        PasswordPepper = settings.PasswordPepper,
        AuditHmacKey = settings.AuditHmacKey,
        VideoPath = settings.VideoPath,
        Overrides = settings.Overrides,
        MasterKeys = keys,
        ActiveKeyId = activeKeyId,
    };

    private static async Task<string> UploadAsync(RunningApi api, string token, string projectId, string fileName, byte[] content)
    {
        var response = await api.CreateClient().UploadAsync(token, projectId, fileName, content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync())["video_id"]!.GetValue<string>();
    }

    private static async Task<string> NewOperatorTokenAsync(RunningApi api, string admin)
    {
        var http = api.CreateClient();
        var username = await http.CreateUserAsync(admin, password: TestSettings.UserPassword, roles: "operator");
        return await http.LoginAsync(username, TestSettings.UserPassword);
    }
}
