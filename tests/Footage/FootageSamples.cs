using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Surveillance.Processing;
using Surveillance.Silo.Footage;
using Surveillance.Storage;
using Surveillance.Videos;

namespace Surveillance.Tests.Footage;

/// <summary>
/// Real-world layouts, made with ffmpeg at start (96×64, 10 frames per second, 2 s): MP4 and MOV with
/// the index (<c>moov</c>) after the media — ffmpeg's default, and what cameras and phones write — and
/// before it, Matroska/WebM with the cues at the end, AVI (whose <c>idx1</c> is always at the end).
/// MPEG-4 Part 2 and MJPEG carry their picture size only where the container says, so ffprobe must
/// seek to read them. Each is stored encrypted under a fresh key in a temporary video directory.
/// </summary>
public sealed class FootageSamples : IAsyncLifetime
{
    public const int Width = 96;
    public const int Height = 64;
    public const double FrameRate = 10;
    public const double Duration = 2;

    /// <summary>Sample → the ffmpeg output options that make it (the input is a 2 s test pattern).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Layouts = new Dictionary<string, string[]>
    {
        ["mpeg4-index-at-end.mp4"] = ["-c:v", "mpeg4"],
        ["mpeg4-index-at-start.mp4"] = ["-c:v", "mpeg4", "-movflags", "+faststart"],
        ["mpeg4-index-at-end.mov"] = ["-c:v", "mpeg4"],
        ["mjpeg-index-at-end.mov"] = ["-c:v", "mjpeg", "-pix_fmt", "yuvj420p"],
        ["mpeg4-index-at-start.mov"] = ["-c:v", "mpeg4", "-movflags", "+faststart"],
        ["mpeg4-cues-at-end.mkv"] = ["-c:v", "mpeg4"],
        ["vp8-cues-at-end.webm"] = ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k"],
        ["mpeg4.avi"] = ["-c:v", "mpeg4"],
        ["mjpeg.avi"] = ["-c:v", "mjpeg", "-pix_fmt", "yuvj420p"],
    };

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("surveillance-footage-");
    private readonly Dictionary<string, byte[]> _bytes = [];

    public VideoFiles Files { get; private set; } = null!;

    public byte[] Bytes(string sample) => _bytes[sample];

    public static ProcessingOptions Options(Action<ProcessingOptions>? change = null)
    {
        var options = new ProcessingOptions { ProbeTimeoutSeconds = 60 };
        change?.Invoke(options);
        return options;
    }

    public LoopbackVideoServer NewServer(ProcessingOptions? options = null) =>
        new(Files, Microsoft.Extensions.Options.Options.Create(options ?? Options()), TimeProvider.System, NullLogger<LoopbackVideoServer>.Instance);

    /// <summary>Stores <paramref name="content"/> encrypted, as an upload would, under a new video id; returns its id and key.</summary>
    public async Task<StoredSample> StoreAsync(byte[] content, string projectId = "footage")
    {
        var videoId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var dataKey = RandomNumberGenerator.GetBytes(32);
        Files.EnsureProjectDirectory(projectId);
        await using var file = File.Create(Files.PathFor(projectId, videoId));
        await using var writer = new EncryptedVideoWriter(file, dataKey, videoId, projectId);
        await writer.WriteAsync(content);
        await writer.CompleteAsync();
        return new StoredSample(videoId, projectId, new ContentKey(dataKey, Convert.ToHexStringLower(writer.KeyId)));
    }

    public async Task InitializeAsync()
    {
        Files = new VideoFiles(_work.CreateSubdirectory("videos").FullName);
        var source = Path.Combine(_work.FullName, "source.y4m");
        await FfmpegAsync(["-f", "lavfi", "-i", $"testsrc=size={Width}x{Height}:rate={FrameRate}", "-t", "2", "-pix_fmt", "yuv420p", source]);
        foreach (var (sample, options) in Layouts)
        {
            var output = Path.Combine(_work.FullName, sample);
            await FfmpegAsync(["-i", source, .. options, output]);
            _bytes[sample] = await File.ReadAllBytesAsync(output);
        }
    }

    public Task DisposeAsync()
    {
        _work.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static async Task FfmpegAsync(string[] arguments)
    {
        var result = await MediaTool.RunAsync(
            "ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. arguments], TimeSpan.FromMinutes(2), 1024 * 1024, CancellationToken.None);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', arguments)} failed ({result.ExitCode}, timed out: {result.TimedOut}): {result.Errors}");
        }
    }
}

public sealed record StoredSample(string VideoId, string ProjectId, ContentKey Key);
