using Microsoft.Extensions.Options;
using Surveillance.Api.Auth;
using Surveillance.Api.Edge;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// Issue 10: after the silo says its hashing budget is used up, each API instance refuses logins on
/// its own; when the window has passed it lets one login through as a probe (a circuit breaker's
/// half-open state), so a storm's 16 connections do not all reach the silo at once — and a probe
/// that never reaches the silo (a malformed body) does not hold the gate for a whole window.
/// </summary>
public sealed class LoginGateTests
{
    private const int WindowMilliseconds = 500;

    private readonly ManualClock _clock = new();
    private readonly LoginGate _gate;

    public LoginGateTests() => _gate = Gate(WindowMilliseconds);

    [Fact]
    public void BeforeAnyBusyAnswer_EveryLoginPasses_AsNoProbe()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.False(_gate.IsClosed(out _, out var probe));
            Assert.Equal(0, probe);
        }
    }

    [Fact]
    public void LoginStorm_AfterABusyAnswer_EveryLoginIsRefusedForTheWindow_WithTheSilosRetryAfter()
    {
        _gate.Close(retryAfterSeconds: 7);

        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds - 1));

        Assert.True(_gate.IsClosed(out var retryAfter, out _));
        Assert.Equal(7, retryAfter);
    }

    [Fact]
    public void LoginStorm_AfterTheWindow_OneProbeReachesTheSilo_AndABusyAnswerClosesTheGateAgain()
    {
        var probe = ProbeAfterABusyWindow();

        Assert.NotEqual(0, probe);
        Assert.Equal(0, PassingOf(16));

        // The probe's answer: busy again. Ending the probe does not undo that.
        _gate.Close(retryAfterSeconds: 1);
        _gate.EndProbe(probe);
        Assert.Equal(0, PassingOf(16));
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds + 1));
        Assert.Equal(1, PassingOf(16));
    }

    [Fact]
    public void FloodOfMalformedLogins_AProbeThatNeverReachedTheSilo_HandsOverToTheNextLoginAtOnce()
    {
        var malformed = ProbeAfterABusyWindow();

        _gate.EndProbe(malformed);

        Assert.False(_gate.IsClosed(out _, out var next));
        Assert.NotEqual(0, next);
        Assert.Equal(0, PassingOf(16));
    }

    [Fact]
    public void AfterTheStorm_AServedProbeHandsOverToOneLogin_NotToEveryConnectionAtOnce_UntilTwoWindowsWithoutABusyAnswer()
    {
        var served = ProbeAfterABusyWindow();

        // Served (the middleware ends every probe): the next login probes at once, the others still wait.
        _gate.EndProbe(served);
        Assert.False(_gate.IsClosed(out _, out var next));
        Assert.NotEqual(0, next);
        Assert.Equal(0, PassingOf(16));

        _gate.EndProbe(next);
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds));
        Assert.Equal(16, PassingOf(16));
    }

    [Fact]
    public void AfterTheStorm_NoBusyAnswerForTwoWindows_OpensTheGate_EvenIfNoProbeWasServed()
    {
        var malformed = ProbeAfterABusyWindow();

        // Probes that never reach the silo (a flood of malformed logins) answer nothing; the storm is over.
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds));

        Assert.Equal(16, PassingOf(16));
        _gate.EndProbe(malformed);
        Assert.Equal(16, PassingOf(16));
    }

    [Fact]
    public async Task LoginStorm_ConcurrentLoginsAfterTheWindow_StillLetOnlyOneProbeThrough()
    {
        _gate.Close(retryAfterSeconds: 1);
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds + 1));

        var passed = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => !_gate.IsClosed(out _, out _))));

        Assert.Equal(1, passed.Count(p => p));
    }

    [Fact]
    public void AGateOfZeroMilliseconds_NeverRefuses()
    {
        var gate = Gate(0);

        gate.Close(retryAfterSeconds: 1);

        Assert.All(Enumerable.Range(0, 5), i => Assert.False(gate.IsClosed(out _, out _)));
    }

    /// <summary>The silo answers busy; after the window the next login is the probe.</summary>
    private long ProbeAfterABusyWindow()
    {
        _gate.Close(retryAfterSeconds: 1);
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds + 1));
        Assert.False(_gate.IsClosed(out _, out var probe));
        return probe;
    }

    private int PassingOf(int logins) => Enumerable.Range(0, logins).Count(i => !_gate.IsClosed(out _, out _));

    private LoginGate Gate(int windowMilliseconds)
    {
        var options = Options.Create(new RateLimitOptions { BusyLoginGateMilliseconds = windowMilliseconds });
        return new LoginGate(options, new EdgeRefusals(new CapturingAuditLog(), options, _clock), _clock);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
