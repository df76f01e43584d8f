using Orleans.Concurrency;

namespace Surveillance.Edge;

/// <summary>
/// What the edge knows about one client (key: <see cref="ClientKeys.For"/>, an IPv4 address or an
/// IPv6 /64): its rate-limit windows, recent threats and failed logins, and its block. One
/// activation in the cluster, so limits hold however many API instances serve the client. Rate
/// windows are soft state, so an unseen client costs no database work; strikes are also stored by
/// <see cref="IClientHistoryGrain"/> and blocks by <see cref="IBlockedIpsGrain"/>.
/// </summary>
[Alias("surveillance.IClientIpGrain")]
public interface IClientIpGrain : IGrainWithStringKey
{
    /// <summary>
    /// The per-request check: the block, then the rule's sliding window. Grants up to
    /// <paramref name="wanted"/> permits (a lease an API instance spends locally) after taking
    /// back <paramref name="returned"/> unspent ones from an earlier lease. <paramref name="reserved"/>
    /// permits of each window are never granted here: the API instances admit them on their own.
    /// </summary>
    [Alias("AdmitAsync")] Task<Admission> AdmitAsync(RateRule rule, int wanted, int returned, int reserved);

    /// <summary>Counts an intrusion-detection match; returns the block when this one caused or found one.</summary>
    [Alias("RecordThreatAsync")] Task<BlockInfo?> RecordThreatAsync(string eventName);

    /// <summary>Counts a failed login from this client; returns the block when this one caused or found one.</summary>
    [Alias("RecordFailedLoginAsync")] Task<BlockInfo?> RecordFailedLoginAsync();

    /// <summary>A successful login: this client keeps the normal login limit during a login storm.</summary>
    [Alias("RecordLoginSuccessAsync"), OneWay] Task RecordLoginSuccessAsync();

    /// <summary>An administrator's manual block.</summary>
    [Alias("BlockAsync")] Task<BlockInfo> BlockAsync(string reason, int durationSeconds);

    /// <summary>Lifts the block and clears the client's threat history; false when it was not blocked.</summary>
    [Alias("UnblockAsync")] Task<bool> UnblockAsync();

    [Alias("GetStatusAsync"), ReadOnly] Task<IpStatus> GetStatusAsync();
}
