using Microsoft.Extensions.Options;
using Surveillance.Errors;

namespace Surveillance.Identity;

/// <summary>
/// The silo's fixed budget for bcrypt. Two bounds:
/// <list type="bullet">
/// <item>Concurrency: <see cref="PasswordHashingOptions.HashingThreads"/> hashes at once, a bounded
/// queue and a short wait.</item>
/// <item>A share of the CPU (<see cref="PasswordHashingOptions.HashingCpuShare"/>): sustained
/// hashing may use at most that share of the silo's cores, after a burst of
/// <see cref="PasswordHashingOptions.HashingBurstSeconds"/> CPU-seconds. On two cores even one bcrypt
/// thread is half the machine, so a login storm that kept one thread busy would halve every other
/// request's rate; the share keeps the rest for them.</item>
/// </list>
/// The share is a generic cell rate algorithm (GCRA, the leaky bucket as a meter) over CPU time:
/// each hash reserves its estimated cost (the running average of measured hashes) and starts when
/// the meter allows, which is known at once; a hash that could not start within the wait is refused
/// at once rather than queued. Past either bound a login is refused with 503 and Retry-After
/// (<see cref="DomainError.Unavailable"/>, or <see cref="HashingOutcome{T}.Refused"/> for the login
/// path, which answers it without an exception).
/// </summary>
public sealed class HashingBudget : IDisposable
{
    private const double InitialCostSeconds = 0.1;

    private readonly SemaphoreSlim _threads;
    private readonly HashingThreads _runners;
    private readonly int _queueLength;
    private readonly TimeSpan _wait;
    private readonly TimeProvider _clock;

    // The CPU share's meter, in seconds of the clock's timestamps; null rate: no share bound.
    private readonly double? _cpuSecondsPerSecond;
    private readonly double _burstSeconds;
    private readonly Lock _meter = new();
    private double _theoreticalArrival;
    private double _costSeconds = InitialCostSeconds;

    private int _waiting;
    private int _running;
    private int _peakRunning;
    private long _refused;

    public HashingBudget(IOptions<PasswordHashingOptions> options, TimeProvider? clock = null)
    {
        var settings = options.Value;
        _threads = new SemaphoreSlim(settings.HashingThreads, settings.HashingThreads);
        _runners = new HashingThreads(settings.HashingThreads, settings.HashingThreadNice);
        _queueLength = settings.HashingQueueLength;
        _wait = TimeSpan.FromMilliseconds(settings.HashingWaitMilliseconds);
        _clock = clock ?? TimeProvider.System;
        // A share of 1 (all cores) is no bound beyond the threads.
        _cpuSecondsPerSecond = settings.HashingCpuShare >= 1 ? null : settings.HashingCpuShare * Environment.ProcessorCount;
        _burstSeconds = settings.HashingBurstSeconds;
    }

    /// <summary>The most hashes that ever ran at once (for metrics and the budget's own tests).</summary>
    public int PeakRunning => Volatile.Read(ref _peakRunning);

    /// <summary>Hashes refused because the budget was used up.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Runs <paramref name="work"/> on a thread of the budget, or throws Unavailable (503).</summary>
    public async Task<T> RunAsync<T>(Func<T> work)
    {
        var outcome = await TryRunAsync(work);
        return outcome.Ran
            ? outcome.Value!
            : throw DomainException.Unavailable("Login capacity is used up; retry shortly.");
    }

    /// <summary>
    /// Runs <paramref name="work"/> within the budget, or says when to retry (no exception: a storm's
    /// refusals stay cheap). Without <paramref name="mayWait"/> it runs only if a thread is free and
    /// the CPU share allows it now, and is refused at once otherwise: what a login gate's probe asks.
    /// </summary>
    public async Task<HashingOutcome<T>> TryRunAsync<T>(Func<T> work, bool mayWait = true)
    {
        if (!Reserve(out var delay, out var reservedSeconds))
        {
            return Refuse<T>(delay);
        }

        if (delay > TimeSpan.Zero || !_threads.Wait(0))
        {
            if (!mayWait)
            {
                Release(reservedSeconds);
                return Refuse<T>(delay > TimeSpan.Zero ? delay : _wait);
            }

            if (Interlocked.Increment(ref _waiting) > _queueLength)
            {
                Interlocked.Decrement(ref _waiting);
                Release(reservedSeconds);
                return Refuse<T>(delay);
            }

            bool acquired;
            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _clock);
                }

                acquired = await _threads.WaitAsync(_wait - delay);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }

            if (!acquired)
            {
                Release(reservedSeconds);
                return Refuse<T>(_wait);
            }
        }

        try
        {
            var running = Interlocked.Increment(ref _running);
            UpdatePeak(running);
            var started = _clock.GetTimestamp();
            var value = await _runners.RunAsync(work);
            Settle(reservedSeconds, _clock.GetElapsedTime(started).TotalSeconds);
            return new HashingOutcome<T>(true, value, TimeSpan.Zero);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _threads.Release();
        }
    }

    /// <summary>
    /// The meter's decision for one hash: false when it could not start within the wait (then
    /// <paramref name="delay"/> is when it could); otherwise its cost is reserved and it starts after
    /// <paramref name="delay"/>.
    /// </summary>
    private bool Reserve(out TimeSpan delay, out double reservedSeconds)
    {
        reservedSeconds = 0;
        delay = TimeSpan.Zero;
        if (_cpuSecondsPerSecond is not { } rate)
        {
            return true;
        }

        var now = Now();
        lock (_meter)
        {
            var interval = _costSeconds / rate;
            var tolerance = _burstSeconds / rate;
            var allowedAt = _theoreticalArrival - tolerance;
            delay = TimeSpan.FromSeconds(Math.Max(0, allowedAt - now));
            if (delay > _wait)
            {
                return false;
            }

            _theoreticalArrival = Math.Max(_theoreticalArrival, now) + interval;
            reservedSeconds = _costSeconds;
            return true;
        }
    }

    /// <summary>A reservation that did not run gives its time back.</summary>
    private void Release(double reservedSeconds)
    {
        if (_cpuSecondsPerSecond is { } rate && reservedSeconds > 0)
        {
            lock (_meter)
            {
                _theoreticalArrival -= reservedSeconds / rate;
            }
        }
    }

    /// <summary>The meter is charged what the hash really took, and the estimate follows (a moving average).</summary>
    private void Settle(double reservedSeconds, double tookSeconds)
    {
        if (_cpuSecondsPerSecond is not { } rate)
        {
            return;
        }

        lock (_meter)
        {
            _theoreticalArrival += (tookSeconds - reservedSeconds) / rate;
            _costSeconds += 0.2 * (tookSeconds - _costSeconds);
        }
    }

    public void Dispose()
    {
        _runners.Dispose();
        _threads.Dispose();
    }

    private double Now() => _clock.GetTimestamp() / (double)_clock.TimestampFrequency;

    private HashingOutcome<T> Refuse<T>(TimeSpan retryAfter)
    {
        Interlocked.Increment(ref _refused);
        return new HashingOutcome<T>(false, default, retryAfter);
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

/// <summary>A hash that ran (<see cref="Value"/>), or was refused: then <see cref="RetryAfter"/> is when capacity is expected.</summary>
public readonly record struct HashingOutcome<T>(bool Ran, T? Value, TimeSpan RetryAfter)
{
    public bool Refused => !Ran;
}
