using System.Diagnostics;
using Surveillance.Tests.Tls;

namespace Surveillance.Tests.Hosting;

/// <summary>
/// Issue 14 §6: after an unclean exit (kill -9, an IDE's stop button) the silo and API that
/// ./run.sh started keep running; <c>./run.sh stop</c> (and the next ./run.sh) finds them through
/// the pid files and stops them. A pid file is believed only while its pid is still the very
/// process recorded (same start time, a matching command line): a pid the kernel handed to
/// another process since must never be killed. Stand-in processes play the nodes, so no .NET
/// host and no database is started.
/// </summary>
public sealed class RunScriptLeftoversTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "surveillance-run-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<Process> _started = [];

    public RunScriptLeftoversTests() => Directory.CreateDirectory(Path.Combine(_data, "run"));

    [Fact]
    public async Task RunShStop_StopsTheSiloAndApiAKilledRunLeftBehind_ButNotAProcessThatGotARecordedPid()
    {
        var silo = Start("Surveillance.Silo.dll");
        var api = Start("Surveillance.Api.dll");
        var stranger = Start("some-other-program");
        await WritePidFileAsync("silo.pid", silo);
        await WritePidFileAsync("api.pid", api);
        // The killed run.sh's own pid now belongs to an unrelated process: it must be left alone.
        await WritePidFileAsync("run.pid", stranger);

        var output = await RunShAsync("stop");

        Assert.True(silo.WaitForExit(10_000), "the leftover silo still runs");
        Assert.True(api.WaitForExit(10_000), "the leftover API still runs");
        Assert.False(stranger.HasExited, "a process that was not ours was stopped");
        Assert.Contains("left its silo running", output, StringComparison.Ordinal);
        Assert.Contains("left its API running", output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_data, "run"), "*.pid"));
    }

    [Fact]
    public async Task RunShStop_LeavesAProcessAlone_WhoseStartTimeDiffersFromThePidFile_ARecycledPid()
    {
        var impostor = Start("Surveillance.Silo.dll");
        // Same pid and a matching command line, but not the process that was recorded.
        await File.WriteAllTextAsync(Path.Combine(_data, "run", "silo.pid"), $"{impostor.Id} 1\n");

        var output = await RunShAsync("stop");

        Assert.False(impostor.WaitForExit(1_000), "a process with a recycled pid was stopped");
        Assert.Contains("nothing to stop", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
        }

        Directory.Delete(_data, recursive: true);
    }

    /// <summary>A sleeping process whose command line names <paramref name="program"/>, like a node's.</summary>
    private Process Start(string program)
    {
        var process = Process.Start(new ProcessStartInfo("bash", ["-c", $"exec -a 'dotnet {program}' sleep 300"]))!;
        _started.Add(process);
        for (var i = 0; i < 50 && !File.ReadAllText($"/proc/{process.Id}/cmdline").Contains(program, StringComparison.Ordinal); i++)
        {
            Thread.Sleep(20);
        }

        return process;
    }

    /// <summary>What scripts/pidfiles.sh writes: the pid and its start time (field 22 of /proc/PID/stat).</summary>
    private async Task WritePidFileAsync(string name, Process process)
    {
        var stat = await File.ReadAllTextAsync($"/proc/{process.Id}/stat");
        var startTime = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        await File.WriteAllTextAsync(Path.Combine(_data, "run", name), $"{process.Id} {startTime}\n");
    }

    private async Task<string> RunShAsync(string command)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(ClusterCertificatesFixture.RepositoryRoot, "run.sh"), command])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["Storage__DataPath"] = _data;
        start.Environment["SURVEILLANCE_PG_DATA"] = Path.Combine(_data, "postgres");
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
        return output + await errors;
    }
}
