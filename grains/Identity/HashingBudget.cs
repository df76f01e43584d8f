using Microsoft.Extensions.Options;
using Surveillance.Errors;

namespace Surveillance.Identity;

/// <summary>
/// The silo's fixed budget for bcrypt: <see cref="PasswordHashingOptions.HashingThreads"/> hashes at
/// once, a bounded queue, and a short wait. bcrypt is slow on purpose, so unbounded it lets a few dozen
/// concurrent logins occupy every core and thread-pool thread; past the budget a login is refused with
/// 503 and Retry-After (<see cref="DomainError.Unavailable"/>) instead of queueing for seconds.
/// </summary>
public sealed class HashingBudget(IOptions<PasswordHashingOptions> options)
{
    private readonly SemaphoreSlim _threads = new(options.Value.HashingThreads, options.Value.HashingThreads);
    private readonly int _queueLength = options.Value.HashingQueueLength;
    private readonly TimeSpan _wait = TimeSpan.FromMilliseconds(options.Value.HashingWaitMilliseconds);
    private int _waiting;
    private int _running;
    private int _peakRunning;
    private long _refused;

    /// <summary>The most hashes that ever ran at once (for metrics and the budget's own tests).</summary>
    public int PeakRunning => Volatile.Read(ref _peakRunning);

    /// <summary>Hashes refused because the budget was used up.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Runs <paramref name="work"/> on a thread of the budget, or throws Unavailable.</summary>
    public async Task<T> RunAsync<T>(Func<T> work)
    {
        if (!_threads.Wait(0))
        {
            if (Interlocked.Increment(ref _waiting) > _queueLength)
            {
                Interlocked.Decrement(ref _waiting);
                throw Refuse();
            }

            bool acquired;
            try
            {
                acquired = await _threads.WaitAsync(_wait);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }

            if (!acquired)
            {
                throw Refuse();
            }
        }

        try
        {
            var running = Interlocked.Increment(ref _running);
            UpdatePeak(running);
            return await Task.Run(work);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _threads.Release();
        }
    }

    private DomainException Refuse()
    {
        Interlocked.Increment(ref _refused);
        return DomainException.Unavailable("Login capacity is used up; retry shortly.");
    }

    private void UpdatePeak(int running)
    {
        var peak = Volatile.Read(ref _peakRunning);
        while (running > peak && Interlocked.CompareExchange(ref _peakRunning, running, peak) is var seen && seen != peak)
        {
            peak = seen;
        }
    }
}
