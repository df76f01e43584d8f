namespace Surveillance.Edge;

/// <summary>
/// This silo's failed logins per second over the last minute, and the cluster's verdict (from
/// <see cref="ILoginPressureGrain"/>, refreshed by <see cref="LoginPressureReporter"/>) on whether a
/// login storm is on. Lock-free counting: every failed login of the silo passes through here.
/// </summary>
public sealed class LoginPressure
{
    private const int Seconds = 60;
    private readonly long[] _counts = new long[Seconds];
    private readonly long[] _stamps = new long[Seconds];
    private volatile bool _isStorm;

    public bool IsStorm => _isStorm;

    public void RecordFailedLogin(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        var slot = (int)(second % Seconds);
        if (Interlocked.Exchange(ref _stamps[slot], second) != second)
        {
            Interlocked.Exchange(ref _counts[slot], 0); // a slot left over from a minute ago
        }

        Interlocked.Increment(ref _counts[slot]);
    }

    public int FailedLoginsLastMinute(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        long total = 0;
        for (var slot = 0; slot < Seconds; slot++)
        {
            if (second - Volatile.Read(ref _stamps[slot]) < Seconds)
            {
                total += Volatile.Read(ref _counts[slot]);
            }
        }

        return (int)Math.Min(total, int.MaxValue);
    }

    public void SetClusterRate(int failedLoginsPerMinute, int stormThreshold) => _isStorm = failedLoginsPerMinute > stormThreshold;
}
