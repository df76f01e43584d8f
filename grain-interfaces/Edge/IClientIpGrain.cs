using Orleans.Concurrency;

namespace Surveillance.Edge;

/// <summary>
/// Everything the edge knows about one client IP (key: the normalised address): its rate-limit
/// windows, recent threats and failed logins, and its block. One activation in the cluster, so
/// limits and bans hold however many API instances serve the IP.
/// </summary>
[Alias("surveillance.IClientIpGrain")]
public interface IClientIpGrain : IGrainWithStringKey
{
    /// <summary>
    /// The per-request check: the block, then the rule's sliding window. Grants up to
    /// <paramref name="wanted"/> permits (a lease an API instance spends locally) after taking
    /// back <paramref name="returned"/> unspent ones from an earlier lease.
    /// </summary>
    [Alias("AdmitAsync")] Task<Admission> AdmitAsync(RateRule rule, int wanted, int returned);

    /// <summary>Counts an intrusion-detection match; returns the block when this one caused or found one.</summary>
    [Alias("RecordThreatAsync")] Task<BlockInfo?> RecordThreatAsync(string eventName);

    /// <summary>Counts a failed login from this IP; returns the block when this one caused or found one.</summary>
    [Alias("RecordFailedLoginAsync")] Task<BlockInfo?> RecordFailedLoginAsync();

    /// <summary>An administrator's manual block.</summary>
    [Alias("BlockAsync")] Task<BlockInfo> BlockAsync(string reason, int durationSeconds);

    /// <summary>Lifts the block and clears the IP's threat history; false when it was not blocked.</summary>
    [Alias("UnblockAsync")] Task<bool> UnblockAsync();

    [Alias("GetStatusAsync"), ReadOnly] Task<IpStatus> GetStatusAsync();
}
