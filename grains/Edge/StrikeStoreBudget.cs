using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Surveillance.Edge;

/// <summary>
/// How many client strikes per second a silo stores (<see cref="ThreatOptions.StoredStrikesPerSecond"/>).
/// Storing a strike is a database read (the client's history, once per activation) and a write; an
/// attack that rotates addresses and strikes from each would otherwise turn into as many database
/// round trips. Past the budget a strike still counts in the client grain's memory, as every strike
/// did before history was stored: the block thresholds hold within an activation, only the memory
/// across an idle collection or a restart is lost for that strike.
/// </summary>
public sealed class StrikeStoreBudget : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;

    public StrikeStoreBudget(IOptions<ThreatOptions> options)
    {
        var perSecond = options.Value.StoredStrikesPerSecond;
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    public bool TryTake()
    {
        using var lease = _bucket.AttemptAcquire();
        return lease.IsAcquired;
    }

    public void Dispose() => _bucket.Dispose();
}
