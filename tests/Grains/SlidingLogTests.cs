using Surveillance.Edge;

namespace Surveillance.Tests.Grains;

/// <summary>
/// The exact sliding window behind every rate limit. Unspent leased permits come back (the newest
/// first) without disturbing what is still inside the window.
/// </summary>
public sealed class SlidingLogTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Return_TakesBackTheNewestPermits_AcrossGrants()
    {
        var log = new SlidingLog();
        log.Add(T0, 3);
        log.Add(T0.AddSeconds(10), 50);
        log.Add(T0.AddSeconds(20), 5);

        log.Return(49);

        Assert.Equal(9, log.Count(T0.AddSeconds(20), Window));
        Assert.Equal(T0 + Window, log.ResetAt(T0.AddSeconds(20), Window));
        // The 3 oldest leave the window first; then the 6 left of the second grant.
        Assert.Equal(6, log.Count(T0.AddSeconds(60), Window));
        Assert.Equal(0, log.Count(T0.AddSeconds(70), Window));
    }

    [Fact]
    public void Return_OfMoreThanTheLogHolds_EmptiesIt()
    {
        var log = new SlidingLog();
        log.Add(T0, 2);
        log.Add(T0, 3);

        log.Return(int.MaxValue);

        Assert.Equal(0, log.Count(T0, Window));
        Assert.Equal(T0.AddSeconds(1) + Window, log.ResetAt(T0.AddSeconds(1), Window));
    }

    [Fact]
    public void Count_DropsAdmissionsOnceTheyLeaveTheWindow_AtTheBoundary()
    {
        var log = new SlidingLog();
        log.Add(T0, 1);
        log.Add(T0.AddSeconds(30), 1);

        Assert.Equal(2, log.Count(T0 + Window - TimeSpan.FromTicks(1), Window));
        Assert.Equal(1, log.Count(T0 + Window, Window));
        Assert.Equal(T0.AddSeconds(30) + Window, log.ResetAt(T0 + Window, Window));
    }
}
