using System.Globalization;
using Surveillance.Errors;

namespace Surveillance.Processing;

/// <summary>What a processor may submit (issue: timestamps within the duration, confidence 0–1, …).</summary>
public static class ResultsRules
{
    public const int MaxFramesPerCall = 10_000;
    public const int MaxFramesPerVideo = 1_000_000;
    public const int MaxCaptionLength = 1_000;
    public const int MaxObjectsPerFrame = 100;
    public const int MaxNameLength = 100;

    /// <summary>Throws a validation error naming the first offending field.</summary>
    public static void Validate(ResultsSubmission submission, double durationSeconds, int framesStored)
    {
        Text(submission.ModelVersion, "model_version", MaxNameLength, required: true);
        if (submission.Frames.Count is 0 or > MaxFramesPerCall)
        {
            throw Invalid("frames", $"must hold 1 to {MaxFramesPerCall} frames");
        }

        if (framesStored + submission.Frames.Count > MaxFramesPerVideo)
        {
            throw Invalid("frames", $"would take the video past {MaxFramesPerVideo} frames");
        }

        for (var i = 0; i < submission.Frames.Count; i++)
        {
            Frame(submission.Frames[i], durationSeconds, Index("frames", i));
        }
    }

    private static void Frame(FrameResult frame, double durationSeconds, string path)
    {
        // A duration of 0 means the container did not state one: then only the lower bound holds.
        if (!double.IsFinite(frame.Timestamp) || frame.Timestamp < 0 || (durationSeconds > 0 && frame.Timestamp > durationSeconds))
        {
            throw Invalid($"{path}.timestamp", durationSeconds > 0
                ? string.Create(CultureInfo.InvariantCulture, $"must be 0 to the video's duration, {durationSeconds:0.###} s")
                : "must be 0 or more seconds");
        }

        Text(frame.Caption, $"{path}.caption", MaxCaptionLength, required: false);
        if (frame.DetectedObjects.Count > MaxObjectsPerFrame)
        {
            throw Invalid($"{path}.detected_objects", $"may hold at most {MaxObjectsPerFrame} objects");
        }

        for (var j = 0; j < frame.DetectedObjects.Count; j++)
        {
            DetectedObject(frame.DetectedObjects[j], Index($"{path}.detected_objects", j));
        }
    }

    private static void DetectedObject(DetectedObject detected, string path)
    {
        Text(detected.Class, $"{path}.class", MaxNameLength, required: true);
        if (!double.IsFinite(detected.Confidence) || detected.Confidence is < 0 or > 1)
        {
            throw Invalid($"{path}.confidence", "must be 0 to 1");
        }

        if (detected.Bbox.Count != 4 || detected.Bbox.Any(v => !double.IsFinite(v) || v < 0))
        {
            throw Invalid($"{path}.bbox", "must be four non-negative numbers [x, y, w, h]");
        }
    }

    private static void Text(string value, string path, int maxLength, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(path, "is required");
        }

        if (value.Length > maxLength)
        {
            throw Invalid(path, $"may be at most {maxLength} characters");
        }

        if (value.Any(char.IsControl))
        {
            throw Invalid(path, "may not hold control characters");
        }
    }

    private static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    private static DomainException Invalid(string path, string problem) => DomainException.Validation($"'{path}' {problem}.");
}
