using System.Globalization;
using Surveillance.Errors;

namespace Surveillance.Processing;

/// <summary>
/// What a processor may submit (issue: timestamps within the duration, confidence 0–1, …), and the
/// one wording of each refusal. The API applies <see cref="RequireName"/> and
/// <see cref="RequireFramesPerCall"/> while it reads the body; the video grain applies all of
/// <see cref="Validate"/>, which needs the video, to whatever reaches it.
/// </summary>
public static class ResultsRules
{
    public const int MaxFramesPerCall = 10_000;
    public const int MaxFramesPerVideo = 1_000_000;
    public const int MaxCaptionLength = 1_000;
    public const int MaxObjectsPerFrame = 100;
    public const int MaxNameLength = 100;

    /// <summary>A model version or class name that is present and short enough.</summary>
    public static string RequireName(string? value, string path)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw Invalid(path, "is required");
        }

        return value.Length <= MaxNameLength ? value : throw Invalid(path, $"is longer than {MaxNameLength} characters");
    }

    public static void RequireFramesPerCall(int count)
    {
        if (count > MaxFramesPerCall)
        {
            throw Invalid("frames", $"may hold at most {MaxFramesPerCall} frames per call");
        }
    }

    /// <summary>Throws a validation error naming the first offending field.</summary>
    public static void Validate(ResultsSubmission submission, double durationSeconds, int framesStored)
    {
        Name(submission.ModelVersion, "model_version");
        if (submission.Frames.Count == 0)
        {
            throw Invalid("frames", $"must hold 1 to {MaxFramesPerCall} frames");
        }

        RequireFramesPerCall(submission.Frames.Count);

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

        Text(frame.Caption, $"{path}.caption");
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
        Name(detected.Class, $"{path}.class");
        if (!double.IsFinite(detected.Confidence) || detected.Confidence is < 0 or > 1)
        {
            throw Invalid($"{path}.confidence", "must be 0 to 1");
        }

        if (detected.Bbox.Count != 4 || detected.Bbox.Any(v => !double.IsFinite(v) || v < 0))
        {
            throw Invalid($"{path}.bbox", "must be four non-negative numbers [x, y, w, h]");
        }
    }

    private static void Name(string value, string path)
    {
        RequireName(string.IsNullOrWhiteSpace(value) ? null : value, path);
        NoControlCharacters(value, path);
    }

    private static void Text(string value, string path)
    {
        if (value.Length > MaxCaptionLength)
        {
            throw Invalid(path, $"may be at most {MaxCaptionLength} characters");
        }

        NoControlCharacters(value, path);
    }

    private static void NoControlCharacters(string value, string path)
    {
        if (value.Any(char.IsControl))
        {
            throw Invalid(path, "may not hold control characters");
        }
    }

    private static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    private static DomainException Invalid(string path, string problem) => DomainException.Validation($"'{path}' {problem}.");
}
