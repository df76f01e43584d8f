namespace Surveillance.Edge;

/// <summary>
/// The <c>reason</c> tag of <c>surveillance.ip.blocks</c>: a closed set, because the stored reason
/// is free text (it names counts and the last threat event). An automatic block's text is written
/// by <see cref="ClientIpGrain"/>; a block with a duration is an administrator's.
/// </summary>
public static class BlockReasonTag
{
    public static string Of(string reason, int? durationSeconds) =>
        durationSeconds is not null ? "admin"
        : reason.Contains("failed logins", StringComparison.Ordinal) ? "failed_logins"
        : "threats";
}
