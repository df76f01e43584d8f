using System.Globalization;
using System.Text.Json;
using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>Reads <c>ffprobe -print_format json -show_format -show_streams</c> output.</summary>
public static class FfprobeReport
{
    /// <summary>The first video stream's media, or why there is none.</summary>
    public static ProbeOutcome Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return ProbeOutcome.Failed("The probe's report could not be read.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("streams", out var streams)
                || streams.ValueKind != JsonValueKind.Array
                || streams.EnumerateArray().FirstOrDefault(s => String(s, "codec_type") == "video") is not { ValueKind: JsonValueKind.Object } video)
            {
                return ProbeOutcome.Failed("The file holds no video stream.");
            }

            var width = Int(video, "width");
            var height = Int(video, "height");
            if (width <= 0 || height <= 0)
            {
                return ProbeOutcome.Failed("The video stream has no picture size.");
            }

            var format = root.TryGetProperty("format", out var f) ? f : default;
            var duration = Number(format, "duration") ?? Number(video, "duration") ?? 0;
            var rate = Rate(String(video, "avg_frame_rate")) ?? Rate(String(video, "r_frame_rate")) ?? 0;
            return ProbeOutcome.Succeeded(new MediaInfo(
                Math.Round(duration, 3), width, height, String(video, "codec_name") ?? "unknown", Math.Round(rate, 3)));
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : 0;

    /// <summary>ffprobe writes durations as strings ("3.000000").</summary>
    private static double? Number(JsonElement element, string name) =>
        double.TryParse(String(element, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) && n >= 0 ? n : null;

    /// <summary>"30000/1001" → 29.97; "0/0" → none.</summary>
    private static double? Rate(string? fraction)
    {
        var parts = fraction?.Split('/');
        return parts is [var n, var d]
            && double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out var numerator)
            && double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out var denominator)
            && denominator > 0 && numerator > 0
                ? numerator / denominator
                : null;
    }
}
