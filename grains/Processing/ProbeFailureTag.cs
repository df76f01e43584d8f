namespace Surveillance.Processing;

/// <summary>
/// The <c>reason</c> tag of <c>surveillance.probe.failures</c>: a closed set read from the outcome's
/// free-text error (written by <see cref="VideoProber"/> and <see cref="FfprobeRunner"/>), so that a
/// file name or an ffprobe message never becomes a series of its own.
/// </summary>
public static class ProbeFailureTag
{
    /// <summary>Null when the probe produced media information.</summary>
    public static string? Of(ProbeOutcome outcome) => outcome switch
    {
        { Media: not null } => null,
        { Error: { } e } when e.Contains("missing", StringComparison.Ordinal) => "missing",
        { Error: { } e } when e.Contains("integrity", StringComparison.Ordinal) => "integrity",
        { Error: { } e } when e.Contains("did not finish", StringComparison.Ordinal) => "timeout",
        _ => "undecodable",
    };
}
