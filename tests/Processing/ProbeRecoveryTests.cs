using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Storage;
using Surveillance.Tests.Videos;

namespace Surveillance.Tests.Processing;

/// <summary>
/// Probes are durable and bounded: a probe that never finished (its silo died, ffprobe missing) is
/// taken up again by the video's reminder, also after a silo restart; a hanging ffprobe is
/// killed at the timeout; no more probes run at once than configured.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProbeRecoveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "surveillance-tests", Guid.NewGuid().ToString("N"));
    private SampleVideos _samples = null!;

    [Fact]
    public async Task ProbeThatNeverFinished_IsResumedByItsReminder_AfterTheSiloRestarts()
    {
        // First silo: ffprobe cannot be started, so the job is left 'processing', as after a crash mid-probe.
        var broken = Settings(ffprobe: Path.Combine(_scratch, "no-such-ffprobe"));
        string videoId;
        await using (var api = await RunningApi.StartAsync(broken))
        {
            var admin = await api.AdminTokenAsync();
            videoId = await UploadAsync(api, admin, "cam.mp4");
            var job = await WaitForStatusAsync(api, admin, videoId, s => s == "processing");
            Assert.Equal("processing", job["status"]!.GetValue<string>());
        }

        await using (var api = await RunningApi.StartAsync(Settings(ffprobe: "ffprobe", timeoutSeconds: 5, like: broken)))
        {
            var job = await WaitForStatusAsync(api, await api.AdminTokenAsync(), videoId, s => s is not ("queued" or "processing"));

            Assert.Equal("awaiting_results", job["status"]!.GetValue<string>());
            Assert.Equal("completed", job["stages"]![1]!["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task HangingFfprobe_IsKilledAtTheTimeout_AndTheJobFails()
    {
        var hanging = Script("hanging-ffprobe", "exec sleep 120");
        await using var api = await RunningApi.StartAsync(Settings(ffprobe: hanging, timeoutSeconds: 1, maxAttempts: 1));
        var admin = await api.AdminTokenAsync();
        var videoId = await UploadAsync(api, admin, "hangs.mp4");

        var job = await WaitForStatusAsync(api, admin, videoId, s => s is not ("queued" or "processing"));

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal("Probing did not finish within 1 s.", job["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Probes_RunNoMoreAtOnce_ThanMaxConcurrentProbes()
    {
        var log = Path.Combine(_scratch, "probes.log");
        var ffprobe = FindOnPath("ffprobe");
        var slow = Script("slow-ffprobe",
            $"echo start >> '{log}'\nsleep 0.4\n'{ffprobe}' \"$@\"\nrc=$?\necho end >> '{log}'\nexit $rc");
        await using var api = await RunningApi.StartAsync(Settings(ffprobe: slow, timeoutSeconds: 60, maxConcurrent: 1));
        var admin = await api.AdminTokenAsync();
        var videos = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            videos.Add(await UploadAsync(api, admin, $"cam{i}.mp4"));
        }

        foreach (var videoId in videos)
        {
            var job = await WaitForStatusAsync(api, admin, videoId, s => s is not ("queued" or "processing"));
            Assert.Equal("awaiting_results", job["status"]!.GetValue<string>());
        }

        var lines = await File.ReadAllLinesAsync(log);
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(_ => new[] { "start", "end" }), lines);
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_scratch);
        _samples = await SampleVideoCache.GetAsync();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }

    private TestSettings Settings(string ffprobe, int timeoutSeconds = 1, int maxAttempts = 100, int maxConcurrent = 2, TestSettings? like = null) => new()
    {
        ServiceId = like?.ServiceId ?? "test-" + Guid.NewGuid().ToString("N")[..12],
        JwtSecret = like?.JwtSecret ?? new TestSettings().JwtSecret,
        PasswordPepper = like?.PasswordPepper ?? new TestSettings().PasswordPepper,
        AuditHmacKey = like?.AuditHmacKey ?? new TestSettings().AuditHmacKey,
        ResultsHmacKey = like?.ResultsHmacKey ?? new TestSettings().ResultsHmacKey,
        MasterKeys = like?.MasterKeys ?? new TestSettings().MasterKeys,
        ActiveKeyId = like?.ActiveKeyId ?? new TestSettings().ActiveKeyId,
        VideoPath = Path.Combine(_scratch, "videos"),
        Overrides = new()
        {
            ["Processing:FfprobePath"] = ffprobe,
            ["Processing:ProbeTimeoutSeconds"] = timeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["Processing:ProbeRetrySeconds"] = "1",
            ["Processing:MaxProbeAttempts"] = maxAttempts.ToString(CultureInfo.InvariantCulture),
            ["Processing:MaxConcurrentProbes"] = maxConcurrent.ToString(CultureInfo.InvariantCulture),
        },
    };

    private async Task<string> UploadAsync(RunningApi api, string token, string fileName)
    {
        var response = await api.CreateClient().UploadAsync(token, "probes", fileName, _samples.Bytes("h264.mp4"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync())["video_id"]!.GetValue<string>();
    }

    private static async Task<JsonNode> WaitForStatusAsync(RunningApi api, string token, string videoId, Func<string, bool> done)
    {
        var clock = Stopwatch.StartNew();
        JsonNode job;
        do
        {
            job = await (await api.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/jobs/{videoId}", token)).ReadJsonAsync();
            if (done(job["status"]!.GetValue<string>()))
            {
                return job;
            }

            await Task.Delay(100);
        }
        while (clock.Elapsed < Deadline);

        Assert.Fail($"the job of {videoId} stayed '{job["status"]}' for {Deadline.TotalSeconds} s");
        return job;
    }

    private string Script(string name, string body)
    {
        var path = Path.Combine(_scratch, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static string FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{tool} is not on PATH; test.sh installs ffmpeg.");
}
