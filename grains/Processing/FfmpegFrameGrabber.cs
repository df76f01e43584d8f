using System.Globalization;
using Microsoft.Extensions.Options;

namespace Surveillance.Processing;

/// <summary>Decodes one picture from a decrypted view into a JPEG with ffmpeg.</summary>
public sealed class FfmpegFrameGrabber(IOptions<ProcessingOptions> options)
{
    /// <summary>A 1920-pixel-wide JPEG of any sane aspect is far below this.</summary>
    private const int MaxImageBytes = 8 * 1024 * 1024;

    /// <summary>The JPEG, or null when ffmpeg found no picture there; <see cref="TimeoutException"/> when it ran out of time.</summary>
    public async Task<byte[]?> GrabAsync(Uri input, double timestamp, int? width, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        List<string> arguments =
        [
            "-nostdin", "-v", "error", .. MediaTool.InputRestrictions,
            "-threads", settings.DecoderThreads.ToString(CultureInfo.InvariantCulture),
            // Input seeking: jump by the index to the key frame before, then decode up to the exact time.
            "-ss", timestamp.ToString("0.000", CultureInfo.InvariantCulture),
            "-i", input.AbsoluteUri,
            "-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", "1",
        ];
        if (width is { } w)
        {
            // -2: the height that keeps the aspect ratio, rounded to an even number for the encoder.
            arguments.AddRange(["-vf", string.Create(CultureInfo.InvariantCulture, $"scale={w}:-2")]);
        }

        arguments.AddRange(["-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "4", "pipe:1"]);
        var result = await MediaTool.RunAsync(
            settings.FfmpegPath, arguments, TimeSpan.FromSeconds(settings.DecodeTimeoutSeconds), MaxImageBytes, cancellationToken);
        if (result.TimedOut)
        {
            throw new TimeoutException("Decoding the frame did not finish in time.");
        }

        return result.ExitCode == 0 && !result.OutputTooLarge && result.Output.Length > 0 ? result.Output : null;
    }
}
