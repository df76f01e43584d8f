using System.Globalization;
using System.Text.RegularExpressions;

namespace Surveillance.Processing;

/// <summary>
/// Frame ids are <c>&lt;video id&gt;-&lt;sequence&gt;</c>: opaque to clients, but they name their
/// video, so a lookup can check the caller's access to that video before touching the frame.
/// </summary>
public static partial class FrameIds
{
    public static string For(string videoId, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{videoId}-{sequence:D6}");

    /// <summary>The video id of a well-formed frame id; false for anything else.</summary>
    public static bool TryGetVideoId(string frameId, out string videoId)
    {
        var match = Pattern().Match(frameId);
        videoId = match.Success ? match.Groups[1].Value : "";
        return match.Success;
    }

    [GeneratedRegex("^([0-9a-f]{32})-[0-9]{6,9}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
