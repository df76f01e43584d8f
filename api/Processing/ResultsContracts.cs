using Surveillance.Errors;
using Surveillance.Processing;

namespace Surveillance.Api.Processing;

/// <summary>
/// The body of <c>POST /surveillance/videos/{id}/results</c>; every member nullable so a missing one
/// is a clear 400. The rules and their wording are <see cref="ResultsRules"/>.
/// </summary>
public sealed record ResultsRequest(string? ModelVersion, IReadOnlyList<FrameRequest?>? Frames)
{
    public ResultsSubmission ToSubmission()
    {
        var modelVersion = ResultsRules.RequireName(ModelVersion, "model_version");
        if (Frames is null)
        {
            throw DomainException.Validation("'frames' is required.");
        }

        ResultsRules.RequireFramesPerCall(Frames.Count);
        return new ResultsSubmission(modelVersion, Frames.Select((frame, i) => ToFrame(frame, $"frames[{i}]")).ToList());
    }

    private static FrameResult ToFrame(FrameRequest? frame, string path)
    {
        if (frame is null)
        {
            throw DomainException.Validation($"'{path}' must be an object.");
        }

        var timestamp = frame.Timestamp ?? throw DomainException.Validation($"'{path}.timestamp' is required.");
        var objects = (frame.DetectedObjects ?? []).Select((detected, j) => ToObject(detected, $"{path}.detected_objects[{j}]")).ToList();
        return new FrameResult(timestamp, frame.Caption ?? "", objects);
    }

    private static DetectedObject ToObject(DetectedObjectRequest? detected, string path)
    {
        if (detected is null)
        {
            throw DomainException.Validation($"'{path}' must be an object.");
        }

        return new DetectedObject(
            ResultsRules.RequireName(detected.Class, $"{path}.class"),
            detected.Confidence ?? throw DomainException.Validation($"'{path}.confidence' is required."),
            detected.Bbox ?? throw DomainException.Validation($"'{path}.bbox' is required."));
    }
}

public sealed record FrameRequest(double? Timestamp, string? Caption, IReadOnlyList<DetectedObjectRequest?>? DetectedObjects);

public sealed record DetectedObjectRequest(string? Class, double? Confidence, IReadOnlyList<double>? Bbox);

public sealed record ResultsResponse(string Message, string VideoId, string JobId, string Status, int FramesStored, int FrameCount, IReadOnlyList<string> FrameIds)
{
    public static ResultsResponse From(ResultsReceipt receipt) => new(
        "Results stored", receipt.VideoId, receipt.VideoId, receipt.Status, receipt.FramesStored, receipt.FrameCount, receipt.FrameIds);
}

public sealed record DetectedObjectResponse(string Class, double Confidence, IReadOnlyList<double> Bbox)
{
    public static IReadOnlyList<DetectedObjectResponse> From(IReadOnlyList<DetectedObject> objects) =>
        objects.Select(o => new DetectedObjectResponse(o.Class, o.Confidence, o.Bbox)).ToList();
}

public sealed record FrameResponse(
    string FrameId, string VideoId, string ProjectId, double Timestamp, string Caption,
    IReadOnlyList<DetectedObjectResponse> DetectedObjects, string ModelVersion, DateTimeOffset CreatedAt)
{
    public static FrameResponse From(FrameInfo frame) => new(
        frame.FrameId, frame.VideoId, frame.ProjectId, frame.Timestamp, frame.Caption,
        DetectedObjectResponse.From(frame.DetectedObjects), frame.ModelVersion, frame.CreatedAt);
}
