using System.Collections.Concurrent;
using Surveillance.Identity;

namespace Surveillance.Tests.Grains;

/// <summary>
/// Observes a user's sessions the way the API's token check does: through a lease
/// (<see cref="IUserSessionsGrain.LeaseAsync"/>), held by one answering holder per client so that
/// later revocations in the same test are not slowed by a holder that is gone.
/// </summary>
internal static class SessionLeaseReading
{
    private static readonly ConcurrentDictionary<IClusterClient, (RecordingHolder Holder, ISessionCacheObserver Reference)> Holders = new();

    /// <summary>True when a lease taken now lists the token, i.e. an API instance would accept it.</summary>
    public static async Task<bool> LeaseListsAsync(this IUserSessionsGrain sessions, IClusterClient client, string tokenId)
    {
        var (_, reference) = Holders.GetOrAdd(client, c =>
        {
            var holder = new RecordingHolder();
            return (holder, c.CreateObjectReference<ISessionCacheObserver>(holder));
        });
        var lease = await sessions.LeaseAsync(reference);
        return lease.ExpiryByTokenId.ContainsKey(tokenId);
    }
}
