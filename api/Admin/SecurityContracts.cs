using Surveillance.Edge;

namespace Surveillance.Api.Admin;

public sealed record BlockIpRequest(string? Ip, string? Reason, int? DurationSeconds);

public sealed record BlockedIpResponse(string Ip, string Reason, DateTimeOffset BlockedAt, DateTimeOffset ExpiresAt, int ThreatCount)
{
    public static BlockedIpResponse From(BlockInfo block) =>
        new(block.Ip, block.Reason, block.BlockedAt, block.ExpiresAt, block.ThreatCount);
}

public sealed record BlockedIpListResponse(IReadOnlyList<BlockedIpResponse> BlockedIps);

public sealed record IpStatusResponse(
    string Ip,
    bool Blocked,
    BlockedIpResponse? Block,
    int BlockCount,
    bool Allowlisted,
    int FailedLogins,
    IReadOnlyList<ThreatRecord> Threats,
    IReadOnlyList<RateWindow> RateWindows);
