using Microsoft.Extensions.Options;
using Surveillance.Processing;

namespace Surveillance.Tests.Footage;

/// <summary>
/// Issue 11 §3: a media tool parsing an untrusted upload is the likeliest process to be subverted,
/// so it starts with an empty environment plus PATH — none of the silo's secrets.
/// </summary>
public sealed class ChildEnvironmentTests
{
    /// <summary>Variables sh sets for itself; anything else in the dump came from the parent.</summary>
    private static readonly HashSet<string> ShellOwn = ["PATH", "PWD", "SHLVL", "_", "OLDPWD"];

    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["Auth__FootageCanary"] = "jwt-secret-canary-" + Guid.NewGuid().ToString("N"),
        ["Storage__FootageCanary"] = "master-key-canary-" + Guid.NewGuid().ToString("N"),
        ["ConnectionStrings__FootageCanary"] = "Host=db;Password=canary-" + Guid.NewGuid().ToString("N"),
        ["Results__FootageCanary"] = "results-key-canary-" + Guid.NewGuid().ToString("N"),
    };

    static ChildEnvironmentTests()
    {
        // Names no configuration reads, so setting them in this shared test process changes no other test.
        foreach (var (name, value) in Secrets)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    [Fact]
    public async Task SubvertedFfprobe_DumpingItsEnvironment_SeesOnlyPath_NoAuthStorageOrConnectionStringSecret()
    {
        using var fake = new FakeMediaTool("""
            env > "$DIR/env"
            printf '{"streams":[{"codec_type":"video","codec_name":"fake","width":8,"height":6,"avg_frame_rate":"1/1"}],"format":{"duration":"1.0"}}'
            """);
        var runner = new FfprobeRunner(Options.Create(new ProcessingOptions { FfprobePath = fake.Path }));

        var outcome = await runner.ProbeAsync(new Uri("http://127.0.0.1:9/" + new string('a', 64)), CancellationToken.None);

        Assert.NotNull(outcome.Media); // the fake really ran
        AssertOnlyPath(fake.Read("env"));
    }

    [Fact]
    public async Task SubvertedFfmpeg_DumpingItsEnvironment_SeesOnlyPath_NoAuthStorageOrConnectionStringSecret()
    {
        using var fake = new FakeMediaTool("""
            env > "$DIR/env"
            printf 'jpeg'
            """);
        var grabber = new FfmpegFrameGrabber(Options.Create(new ProcessingOptions { FfmpegPath = fake.Path }));

        var image = await grabber.GrabAsync(new Uri("http://127.0.0.1:9/" + new string('a', 64)), 1.5, 320, CancellationToken.None);

        Assert.Equal("jpeg"u8.ToArray(), image);
        AssertOnlyPath(fake.Read("env"));
    }

    private static void AssertOnlyPath(string? dump)
    {
        Assert.NotNull(dump);
        var names = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('=', 2)[0]).ToList();
        Assert.Contains("PATH", names);
        Assert.All(names, name => Assert.Contains(name, ShellOwn));
        foreach (var (name, value) in Secrets)
        {
            Assert.Equal(value, Environment.GetEnvironmentVariable(name)); // the parent does hold them
            Assert.DoesNotContain(value, dump);
        }

        Assert.DoesNotContain("Auth__", dump);
        Assert.DoesNotContain("Storage__", dump);
        Assert.DoesNotContain("ConnectionStrings__", dump);
    }
}
