using Microsoft.Extensions.Options;
using Surveillance.Api.Edge;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;
using Surveillance.Api.Telemetry;
using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>
/// This API instance's memory of the silo's last "hashing budget used up" answer: for
/// <see cref="RateLimitOptions.BusyLoginGateMilliseconds"/> after it, and then but for one probe at a
/// time until no busy answer came for two such windows, logins are refused here
/// (<see cref="EdgeGuardMiddleware"/>, right after the block check), before their body is read and
/// without any grain call — neither the user's grain nor the client's IP grain, whose rate window a
/// refused login would only spend: during a storm from ever-new addresses the silo is asked about once
/// per window instead of activating a grain per attempt. With several silos this may refuse a login
/// that another silo's budget could have served, for at most that window.
/// </summary>
public sealed class LoginGate(IOptions<RateLimitOptions> options, EdgeRefusals refusals, TimeProvider clock)
{
    private static readonly object ProbeKey = new();

    private readonly TimeSpan _window = TimeSpan.FromMilliseconds(options.Value.BusyLoginGateMilliseconds);
    private readonly TimeSpan _hold = TimeSpan.FromMilliseconds(options.Value.BusyLoginHoldMilliseconds);
    private long _closedUntilTicks;
    private long _lastBusyTicks;
    private int _tripped;
    private int _retryAfterSeconds = 1;

    /// <summary>
    /// True while a recent busy answer stands; <paramref name="retryAfterSeconds"/> is what the silo said.
    /// After a busy answer the gate is half-open when its window has passed, as a circuit breaker's: one
    /// login goes on to the silo as a probe (this call answers false for it, with a non-zero
    /// <paramref name="probe"/>, and the window starts again for the rest) until no busy answer came
    /// for two windows. So the silo sees about one login per window and instance during a storm, not
    /// every connection's next attempt at once. A probe that was served, or ended without an answer
    /// from the silo, hands over to the next login at once (<see cref="EndProbe"/>): after a storm,
    /// logins go through one at a time until the gate opens, instead of all connections at once into
    /// a hashing queue they would wait in for up to a second. The probe itself does not queue there
    /// (<see cref="MarkProbe"/>): it asks whether hashing capacity is free now.
    /// </summary>
    public bool IsClosed(out int retryAfterSeconds, out long probe)
    {
        retryAfterSeconds = Volatile.Read(ref _retryAfterSeconds);
        probe = 0;
        if (Volatile.Read(ref _tripped) == 0)
        {
            return false;
        }

        var now = clock.GetUtcNow().UtcTicks;
        if (now > Interlocked.Read(ref _lastBusyTicks) + 2 * _window.Ticks)
        {
            // No busy answer for two windows: the storm is over, even if no probe was served (a flood
            // of malformed logins never reaches the silo, and would otherwise keep the gate half-open).
            Interlocked.CompareExchange(ref _tripped, 0, 1);
            return false;
        }

        var closedUntil = Interlocked.Read(ref _closedUntilTicks);
        if (now < closedUntil)
        {
            return true;
        }

        // A probe's deadline is even and a busy answer's odd (a tick is 100 ns), so EndProbe never undoes a Close.
        var until = (now + _window.Ticks) & ~1L;
        if (Interlocked.CompareExchange(ref _closedUntilTicks, until, closedUntil) != closedUntil)
        {
            return true;
        }

        probe = until;
        return false;
    }

    /// <summary>
    /// The login that was <paramref name="probe"/> has been answered. Unless the silo answered it busy (a
    /// new window), the next login may probe at once: a served probe hands over, and a malformed body
    /// or a refused client must not hold the gate for a whole window.
    /// </summary>
    public void EndProbe(long probe)
    {
        if (probe != 0)
        {
            Interlocked.CompareExchange(ref _closedUntilTicks, clock.GetUtcNow().UtcTicks, probe);
        }
    }

    /// <summary>The silo refused a login for want of hashing capacity.</summary>
    public void Close(int retryAfterSeconds)
    {
        Volatile.Write(ref _retryAfterSeconds, retryAfterSeconds);
        var now = clock.GetUtcNow();
        Interlocked.Exchange(ref _lastBusyTicks, now.UtcTicks);
        Interlocked.Exchange(ref _closedUntilTicks, (now + _window).UtcTicks | 1L);
        Volatile.Write(ref _tripped, _window > TimeSpan.Zero ? 1 : 0);
    }

    /// <summary>Marks the login as the gate's <paramref name="probe"/> (0: none), for <see cref="IsProbe"/>.</summary>
    public static void MarkProbe(HttpContext http, long probe)
    {
        if (probe != 0)
        {
            http.Items[ProbeKey] = probe;
        }
    }

    /// <summary>
    /// True for the half-open gate's probe: the silo runs its hash only if a hashing thread is free
    /// now, and answers busy at once otherwise (<see cref="Surveillance.Identity.LoginAttempt.Probe"/>).
    /// During a storm a probe would otherwise wait out the whole queue wait behind a starved hash.
    /// </summary>
    public static bool IsProbe(HttpContext http) => http.Items.ContainsKey(ProbeKey);

    /// <summary>
    /// 503 with Retry-After after <see cref="RateLimitOptions.BusyLoginHoldMilliseconds"/> (less the time the
    /// login already <paramref name="waited"/>, e.g. in the silo's hashing queue), as a refusal:
    /// counted and audited in aggregate (<see cref="EdgeRefusals"/>), no exception, no per-request audit
    /// row, no failed login against the client (its password was never checked).
    /// </summary>
    public async Task RefuseAsync(HttpContext http, int retryAfterSeconds, TimeSpan waited = default)
    {
        LoginMetrics.Count(http, LoginOutcome.Busy(TimeSpan.FromSeconds(retryAfterSeconds)));
        refusals.Count(http, ClientAddress.KeyOf(http), StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable);
        // A timer, no thread and no CPU: a client that waits for each answer — as stuffing tools do, per
        // connection — cannot turn fast refusals into a flood that takes the CPU the budget saved.
        if (_hold > waited)
        {
            await Task.Delay(_hold - waited, clock, http.RequestAborted);
        }

        await Problems.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
            ProblemMessages.LoginBusy, TimeSpan.FromSeconds(retryAfterSeconds));
    }
}
