using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Surveillance.Processing;

/// <summary>
/// Runs <c>ffprobe</c> on content written into its standard input: the decrypted video never
/// touches the disk. ffprobe may stop reading as soon as it knows enough; the broken pipe that
/// follows is expected. A probe that outlives <c>Processing:ProbeTimeoutSeconds</c> is killed.
/// </summary>
public sealed class FfprobeRunner(IOptions<ProcessingOptions> options, ILogger<FfprobeRunner> logger)
{
    private const int MaxErrorLength = 300;

    public async Task<ProbeOutcome> ProbeAsync(Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var start = new ProcessStartInfo(settings.FfprobePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-i", "pipe:0" })
        {
            start.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.ProbeTimeoutSeconds));
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            logger.LogError(exception, "ffprobe could not be started from '{Path}'", settings.FfprobePath);
            throw new InvalidOperationException("ffprobe could not be started; is it installed and on PATH?", exception);
        }

        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            await FeedAsync(process, writeContent, timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            var report = await output;
            var stderr = await errors;
            return process.ExitCode == 0
                ? FfprobeReport.Parse(report)
                : ProbeOutcome.Failed(NotDecodable(stderr));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.Failed(string.Create(CultureInfo.InvariantCulture,
                $"Probing did not finish within {settings.ProbeTimeoutSeconds} s."));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task FeedAsync(Process process, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        var input = process.StandardInput.BaseStream;
        try
        {
            await writeContent(input, cancellationToken);
            await input.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // ffprobe closed its input: it has read what it needed (or given up). Its exit code says which.
        }
        finally
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Closing a pipe whose reader has gone.
            }
        }
    }

    /// <summary>ffprobe's own reason, first line only and shortened; it names no path (the input is a pipe).</summary>
    private static string NotDecodable(string stderr)
    {
        var reason = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault() ?? "";
        reason = new string(reason.Where(c => !char.IsControl(c)).ToArray());
        if (reason.Length > MaxErrorLength)
        {
            reason = reason[..MaxErrorLength];
        }

        return reason.Length > 0 ? $"The content is not a decodable video ({reason})." : "The content is not a decodable video.";
    }
}
