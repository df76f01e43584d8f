using Microsoft.Extensions.Options;
using Surveillance.Api.Auth;
using Surveillance.Api.Edge;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// Issue 10: after the silo says its hashing budget is used up, each API instance refuses logins on
/// its own; when the window has passed it lets one login through as a probe per window (a circuit
/// breaker's half-open state), so a storm's 16 connections do not all reach the silo at once.
/// </summary>
public sealed class LoginGateTests
{
    private const int WindowMilliseconds = 500;

    private readonly ManualClock _clock = new();
    private readonly LoginGate _gate;

    public LoginGateTests()
    {
        var options = Options.Create(new RateLimitOptions { BusyLoginGateMilliseconds = WindowMilliseconds });
        _gate = new LoginGate(options, new EdgeRefusals(new CapturingAuditLog(), options, _clock), _clock);
    }

    [Fact]
    public void BeforeAnyBusyAnswer_EveryLoginPasses()
    {
        Assert.All(Enumerable.Range(0, 5), _ => Assert.False(_gate.IsClosed(out _)));
    }

    [Fact]
    public void LoginStorm_AfterABusyAnswer_EveryLoginIsRefusedForTheWindow_WithTheSilosRetryAfter()
    {
        _gate.Close(retryAfterSeconds: 7);

        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds - 1));

        Assert.True(_gate.IsClosed(out var retryAfter));
        Assert.Equal(7, retryAfter);
    }

    [Fact]
    public void LoginStorm_AfterTheWindow_OnlyOneProbePerWindowReachesTheSilo_UntilOneIsServed()
    {
        _gate.Close(retryAfterSeconds: 1);
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds));

        var passed = Enumerable.Range(0, 16).Count(_ => !_gate.IsClosed(out _));
        Assert.Equal(1, passed);

        // The probe got no answer that opens or closes the gate (e.g. its body was malformed): the next window has one more.
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds));
        Assert.Equal(1, Enumerable.Range(0, 16).Count(_ => !_gate.IsClosed(out _)));

        // The probe was served: logins go through again.
        _gate.Open();
        Assert.Equal(16, Enumerable.Range(0, 16).Count(_ => !_gate.IsClosed(out _)));
    }

    [Fact]
    public async Task LoginStorm_ConcurrentLoginsAfterTheWindow_StillLetOnlyOneProbeThrough()
    {
        _gate.Close(retryAfterSeconds: 1);
        _clock.Advance(TimeSpan.FromMilliseconds(WindowMilliseconds));

        var passed = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => !_gate.IsClosed(out _))));

        Assert.Equal(1, passed.Count(p => p));
    }

    [Fact]
    public void AGateOfZeroMilliseconds_NeverRefuses()
    {
        var options = Options.Create(new RateLimitOptions { BusyLoginGateMilliseconds = 0 });
        var gate = new LoginGate(options, new EdgeRefusals(new CapturingAuditLog(), options, _clock), _clock);

        gate.Close(retryAfterSeconds: 1);

        Assert.All(Enumerable.Range(0, 5), _ => Assert.False(gate.IsClosed(out _)));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
