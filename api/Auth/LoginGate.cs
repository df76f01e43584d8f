using Microsoft.Extensions.Options;
using Surveillance.Api.Edge;

namespace Surveillance.Api.Auth;

/// <summary>
/// This API instance's memory of the silo's last "hashing budget used up" answer: for
/// <see cref="RateLimitOptions.BusyLoginGateMilliseconds"/> after it, logins are refused here, before
/// their body is read and without a grain call — during a storm the silo is asked about once per
/// window instead of once per attempt. With several silos this may refuse a login that another
/// silo's budget could have served, for at most that window.
/// </summary>
public sealed class LoginGate(IOptions<RateLimitOptions> options, TimeProvider clock)
{
    private readonly TimeSpan _window = TimeSpan.FromMilliseconds(options.Value.BusyLoginGateMilliseconds);
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
}
