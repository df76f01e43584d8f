using Surveillance.Errors;
using Surveillance.Processing;

namespace Surveillance.Tests.Processing;

/// <summary>
/// <see cref="ResultsRules"/> is the one place results are checked and worded: the API applies
/// part of it while reading the body, the video grain all of it. These are the answers a client
/// sees (API.md: a 400 that names the field).
/// </summary>
public sealed class ResultsRulesTests
{
    private static ResultsSubmission Submission(string modelVersion = "m", int frames = 1, string caption = "x", string objectClass = "car") =>
        new(modelVersion, Enumerable.Range(0, frames)
            .Select(_ => new FrameResult(0, caption, [new DetectedObject(objectClass, 0.5, [0, 0, 1, 1])]))
            .ToList());

    public static TheoryData<string, string> Refusals() => new()
    {
        { "model version too long", "'model_version' is longer than 100 characters." },
        { "blank model version", "'model_version' is required." },
        { "no frames", "'frames' must hold 1 to 10000 frames." },
        { "too many frames", "'frames' may hold at most 10000 frames per call." },
        { "caption too long", "'frames[0].caption' may be at most 1000 characters." },
        { "class too long", "'frames[0].detected_objects[0].class' is longer than 100 characters." },
        { "class with a control character", "'frames[0].detected_objects[0].class' may not hold control characters." },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void TheGrainsRefusal_IsWordedAsTheApiAnswersIt(string what, string message)
    {
        var submission = what switch
        {
            "model version too long" => Submission(modelVersion: new string('m', 101)),
            "blank model version" => Submission(modelVersion: "  "),
            "no frames" => Submission(frames: 0),
            "too many frames" => Submission(frames: 10_001),
            "caption too long" => Submission(caption: new string('c', 1001)),
            "class too long" => Submission(objectClass: new string('k', 101)),
            "class with a control character" => Submission(objectClass: "ca\tr"),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        var refusal = Assert.Throws<DomainException>(() => ResultsRules.Validate(submission, durationSeconds: 10, framesStored: 0));

        Assert.Equal(DomainError.Validation, refusal.Error);
        Assert.Equal(message, refusal.Message);
    }

    [Fact]
    public void TheApisChecks_AreWordedAsTheGrainsForTheSameFault()
    {
        Assert.Equal("'model_version' is required.", Assert.Throws<DomainException>(() => ResultsRules.RequireName(null, "model_version")).Message);
        Assert.Equal("'model_version' is longer than 100 characters.",
            Assert.Throws<DomainException>(() => ResultsRules.RequireName(new string('m', 101), "model_version")).Message);
        Assert.Equal("'frames' may hold at most 10000 frames per call.",
            Assert.Throws<DomainException>(() => ResultsRules.RequireFramesPerCall(10_001)).Message);
        ResultsRules.RequireFramesPerCall(10_000);
        Assert.Equal("car", ResultsRules.RequireName("car", "class"));
    }
}
