using Surveillance.Identity;

namespace Surveillance.Tests.Grains;

/// <summary>
/// Lease deadlines count on the monotonic clock, like the holders' copies. The attack: a step of
/// the silo's wall clock (NTP correction, an operator, a VM resumed) — forward, it made a live
/// lease look expired, so a revocation skipped recalling a holder that still trusted a copy
/// listing the revoked token; backward, it held a revocation for as long as the step.
/// </summary>
public sealed class SessionLeaseClockTests
{
    [Fact]
    public async Task ForwardWallClockStep_DoesNotSkipRecallingAHolderWhoseLeaseIsLive()
    {
        var clock = new SteppingWallClock();
        var holders = new SessionLeaseHolders(clock);
        var holder = new RecordingHolder();
        holders.Grant(holder);

        clock.Step(TimeSpan.FromHours(1));
        await holders.RecallAsync("alice", version: 7, includingUnknown: false);

        Assert.Equal([("alice", 7L)], holder.Recalls);
    }

    [Fact]
    public async Task BackwardWallClockStep_DoesNotHoldARevocationForTheLengthOfTheStep()
    {
        var clock = new SteppingWallClock();
        var holders = new SessionLeaseHolders(clock);
        var silent = new SilentHolder();
        holders.Grant(silent);

        clock.Step(TimeSpan.FromHours(-1));
        var recall = holders.RecallAsync("alice", version: 7, includingUnknown: true);

        // The lease runs out 1.25 s after the grant on the monotonic clock; an hour-long wait would time out here.
        await recall.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(silent.Called, "the silent holder was not asked to forget");
    }

    [Fact]
    public async Task ForwardWallClockStep_StillWaitsOutASilentHoldersLease()
    {
        var clock = new SteppingWallClock();
        var holders = new SessionLeaseHolders(clock);
        var silent = new SilentHolder();
        var granted = clock.GetTimestamp();
        holders.Grant(silent);

        clock.Step(TimeSpan.FromHours(1));
        await holders.RecallAsync("alice", version: 7, includingUnknown: false);

        Assert.True(silent.Called, "the silent holder was not asked to forget");
        Assert.True(clock.GetElapsedTime(granted) >= SessionLeaseHolders.Lifetime,
            $"the recall returned {clock.GetElapsedTime(granted)} after the grant, while the holder's copy ({SessionLeaseHolders.Lifetime}) could still be trusted");
    }

    /// <summary>The system's monotonic clock and timers, with a wall clock that can be stepped.</summary>
    private sealed class SteppingWallClock : TimeProvider
    {
        private TimeSpan _offset;

        public void Step(TimeSpan by) => _offset += by;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
    }
}
