using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Surveillance.Processing;

/// <summary>
/// Runs <c>ffprobe</c> on a seekable view of the decrypted video (<see cref="IDecryptedVideoViews"/>):
/// the plaintext never touches the disk, yet ffprobe can seek back from an index at the end of the
/// file (MP4 <c>moov</c> after the media, Matroska cues at the end) to the first samples. A probe that
/// outlives <c>Processing:ProbeTimeoutSeconds</c> is killed.
/// </summary>
public sealed class FfprobeRunner(IOptions<ProcessingOptions> options)
{
    private const int MaxErrorLength = 300;

    /// <summary>ffprobe's JSON report of one file stays far below this; more is not a report.</summary>
    private const int MaxReportBytes = 1024 * 1024;

    public async Task<ProbeOutcome> ProbeAsync(Uri input, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        string[] arguments =
        [
            "-v", "error", .. MediaTool.InputRestrictions,
            "-print_format", "json", "-show_format", "-show_streams", "-i", input.AbsoluteUri,
        ];
        var result = await MediaTool.RunAsync(
            settings.FfprobePath, arguments, TimeSpan.FromSeconds(settings.ProbeTimeoutSeconds), MaxReportBytes, cancellationToken);
        if (result.TimedOut)
        {
            return ProbeOutcome.Failed(string.Create(CultureInfo.InvariantCulture,
                $"Probing did not finish within {settings.ProbeTimeoutSeconds} s."));
        }

        return result.ExitCode == 0 && !result.OutputTooLarge
            ? FfprobeReport.Parse(Encoding.UTF8.GetString(result.Output))
            : ProbeOutcome.Failed(NotDecodable(result.Errors, input));
    }

    /// <summary>
    /// ffprobe's own reason, last line only and shortened. ffmpeg prefixes messages with the input
    /// URL, which holds the view's token: it is cut out, so neither a job error nor a log shows it.
    /// </summary>
    internal static string NotDecodable(string stderr, Uri input)
    {
        var reason = stderr.Replace(input.AbsoluteUri, "input", StringComparison.Ordinal)
            .Replace(input.AbsolutePath, "", StringComparison.Ordinal)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault() ?? "";
        reason = new string(reason.Where(c => !char.IsControl(c)).ToArray());
        if (reason.Length > MaxErrorLength)
        {
            reason = reason[..MaxErrorLength];
        }

        return reason.Length > 0 ? $"The content is not a decodable video ({reason})." : "The content is not a decodable video.";
    }
}
