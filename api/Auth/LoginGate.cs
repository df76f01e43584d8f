using Microsoft.Extensions.Options;
using Surveillance.Api.Edge;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;
using Surveillance.Api.Telemetry;
using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>
/// This API instance's memory of the silo's last "hashing budget used up" answer: for
/// <see cref="RateLimitOptions.BusyLoginGateMilliseconds"/> after it, logins are refused here
/// (<see cref="EdgeGuardMiddleware"/>, right after the block check), before their body is read and
/// without any grain call — neither the user's grain nor the client's IP grain, whose rate window a
/// refused login would only spend: during a storm from ever-new addresses the silo is asked about once
/// per window instead of activating a grain per attempt. With several silos this may refuse a login
/// that another silo's budget could have served, for at most that window.
/// </summary>
public sealed class LoginGate(IOptions<RateLimitOptions> options, EdgeRefusals refusals, TimeProvider clock)
{
    private readonly TimeSpan _window = TimeSpan.FromMilliseconds(options.Value.BusyLoginGateMilliseconds);
    private readonly TimeSpan _hold = TimeSpan.FromMilliseconds(options.Value.BusyLoginHoldMilliseconds);
    private long _closedUntilTicks;
    private int _retryAfterSeconds = 1;

    /// <summary>True while a recent busy answer stands; <paramref name="retryAfterSeconds"/> is what the silo said.</summary>
    public bool IsClosed(out int retryAfterSeconds)
    {
        retryAfterSeconds = Volatile.Read(ref _retryAfterSeconds);
        return clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _closedUntilTicks);
    }

    /// <summary>The silo refused a login for want of hashing capacity.</summary>
    public void Close(int retryAfterSeconds)
    {
        Volatile.Write(ref _retryAfterSeconds, retryAfterSeconds);
        Interlocked.Exchange(ref _closedUntilTicks, (clock.GetUtcNow() + _window).UtcTicks);
    }

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
