namespace Surveillance.Identity;

/// <summary>
/// The API instances that hold a lease on one user's sessions, and until when. Leases are
/// granted for <see cref="Lifetime"/>; the holder counts it from before it asked, and this side
/// from the grant plus <see cref="Margin"/>, so the holder's copy always expires first.
/// Both sides count on the monotonic clock (<see cref="TimeProvider.GetTimestamp"/>), never on
/// wall-clock time: a step of the silo's clock (NTP, an operator) must neither end a live lease
/// early here — a revocation would skip recalling a holder that still trusts its copy — nor
/// stretch one.
/// </summary>
public sealed class SessionLeaseHolders(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    /// <summary>Allowance for the two clocks' rates and for timer resolution.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(250);

    // Holder → the monotonic timestamp at which its lease has surely run out.
    private readonly Dictionary<ISessionCacheObserver, long> _until = [];

    // Leases granted by an earlier activation of the grain (before a deactivation or a silo crash) are
    // not known here; they have all run out by this time.
    private readonly long _unknownLeasesEnd = clock.GetTimestamp() + Ticks(clock, Lifetime + Margin);

    public void Grant(ISessionCacheObserver holder)
    {
        var now = clock.GetTimestamp();
        foreach (var expired in _until.Where(h => h.Value <= now).Select(h => h.Key).ToList())
        {
            _until.Remove(expired);
        }

        _until[holder] = now + Ticks(clock, Lifetime + Margin);
    }

    /// <summary>
    /// Tells every holder to forget the user and returns once each has answered or its lease has run
    /// out. <paramref name="includingUnknown"/> also waits out leases of an earlier activation: for a
    /// revocation, which must hold everywhere when it returns.
    /// </summary>
    public async Task RecallAsync(string username, long version, bool includingUnknown)
    {
        var now = clock.GetTimestamp();
        var recalls = _until.Where(h => h.Value > now).Select(h => RecallAsync(h.Key, username, version, h.Value)).ToList();
        _until.Clear();
        if (includingUnknown && _unknownLeasesEnd > now)
        {
            recalls.Add(Task.Delay(Left(_unknownLeasesEnd), clock));
        }

        await Task.WhenAll(recalls);
    }

    private async Task RecallAsync(ISessionCacheObserver holder, string username, long version, long until)
    {
        try
        {
            await holder.ForgetAsync(username, version).WaitAsync(Left(until), clock);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // An instance that cannot be reached (gone, partitioned, slow) stops trusting its copy when the lease ends.
            var left = Left(until);
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, clock);
            }
        }
    }

    /// <summary>Time left until the monotonic timestamp <paramref name="until"/>; zero once it has passed.</summary>
    private TimeSpan Left(long until)
    {
        var now = clock.GetTimestamp();
        return until > now ? clock.GetElapsedTime(now, until) : TimeSpan.Zero;
    }

    private static long Ticks(TimeProvider clock, TimeSpan span) => (long)(span.TotalSeconds * clock.TimestampFrequency);
}
