namespace Surveillance.Identity;

/// <summary>
/// The API instances that hold a lease on one user's sessions, and until when. Leases are
/// granted for <see cref="Lifetime"/>; the holder counts it from before it asked, and this side
/// from the grant plus <see cref="Margin"/>, so the holder's copy always expires first.
/// </summary>
public sealed class SessionLeaseHolders(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    /// <summary>Allowance for the two clocks' rates and for timer resolution.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<ISessionCacheObserver, DateTimeOffset> _until = [];

    // Leases granted by an earlier activation of the grain (before a deactivation or a silo crash) are
    // not known here; they have all run out by this time.
    private readonly DateTimeOffset _unknownLeasesEnd = clock.GetUtcNow() + Lifetime + Margin;

    public void Grant(ISessionCacheObserver holder)
    {
        var now = clock.GetUtcNow();
        foreach (var expired in _until.Where(h => h.Value <= now).Select(h => h.Key).ToList())
        {
            _until.Remove(expired);
        }

        _until[holder] = now + Lifetime + Margin;
    }

    /// <summary>
    /// Tells every holder to forget the user and returns once each has answered or its lease has run
    /// out. <paramref name="includingUnknown"/> also waits out leases of an earlier activation: for a
    /// revocation, which must hold everywhere when it returns.
    /// </summary>
    public async Task RecallAsync(string username, long version, bool includingUnknown)
    {
        var now = clock.GetUtcNow();
        var recalls = _until.Where(h => h.Value > now).Select(h => RecallAsync(h.Key, username, version, h.Value)).ToList();
        _until.Clear();
        if (includingUnknown && _unknownLeasesEnd > now)
        {
            recalls.Add(Task.Delay(_unknownLeasesEnd - now, clock));
        }

        await Task.WhenAll(recalls);
    }

    private async Task RecallAsync(ISessionCacheObserver holder, string username, long version, DateTimeOffset until)
    {
        try
        {
            await holder.ForgetAsync(username, version).WaitAsync(until - clock.GetUtcNow(), clock);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // An instance that cannot be reached (gone, partitioned, slow) stops trusting its copy when the lease ends.
            var left = until - clock.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, clock);
            }
        }
    }
}
