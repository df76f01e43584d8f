using System.ComponentModel;
using System.Diagnostics;

namespace Surveillance.Processing;

/// <summary>What one run of ffprobe or ffmpeg left behind.</summary>
public sealed record MediaToolResult(int ExitCode, byte[] Output, string Errors, bool TimedOut, bool OutputTooLarge);

/// <summary>
/// Runs ffprobe or ffmpeg as a child process, bounded in time and in output. The child starts with an
/// EMPTY environment plus <c>PATH</c> (issue 11 §3): the silo's environment carries its secrets
/// (<c>Auth__*</c>, <c>Storage__MasterKeys__*</c>, <c>ConnectionStrings__*</c>), and a media tool
/// that parses untrusted uploads is the likeliest process to be subverted; it needs none of them.
/// </summary>
public static class MediaTool
{
    /// <summary>The start info of a child with nothing of this process's environment but PATH.</summary>
    public static ProcessStartInfo StartInfo(string executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var path = Environment.GetEnvironmentVariable("PATH");
        start.Environment.Clear();
        if (path is not null)
        {
            start.Environment["PATH"] = path;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>
    /// Runs the tool to its end, or kills it after <paramref name="timeout"/> or once it has written
    /// more than <paramref name="maxOutputBytes"/> (a decoder tricked into writing without end).
    /// </summary>
    public static async Task<MediaToolResult> RunAsync(
        string executable, IEnumerable<string> arguments, TimeSpan timeout, int maxOutputBytes, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var process = new Process { StartInfo = StartInfo(executable, arguments) };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException($"'{executable}' could not be started; is it installed and on PATH?", exception);
        }

        var tooLarge = false;
        try
        {
            var errors = process.StandardError.ReadToEndAsync(deadline.Token);
            using var output = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                if (output.Length + read > maxOutputBytes)
                {
                    tooLarge = true;
                    break;
                }

                output.Write(buffer, 0, read);
            }

            if (tooLarge)
            {
                return new MediaToolResult(-1, [], "", TimedOut: false, OutputTooLarge: true);
            }

            await process.WaitForExitAsync(deadline.Token);
            return new MediaToolResult(process.ExitCode, output.ToArray(), await errors, TimedOut: false, OutputTooLarge: false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new MediaToolResult(-1, [], "", TimedOut: true, OutputTooLarge: false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// The demuxers an input may be opened with: the five upload containers, nothing else. ffmpeg
    /// would otherwise guess among hundreds (HLS playlists, concat lists, image sequences) some of
    /// which open further files or URLs named inside the content.
    /// </summary>
    public static readonly string[] InputRestrictions =
    [
        "-protocol_whitelist", "http,tcp",
        "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi",
    ];
}
