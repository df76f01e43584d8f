namespace Surveillance.Edge;

/// <summary>
/// A sliding-window log: the admission times inside the window, oldest first. Exact (no
/// approximation error) at O(limit) memory, which is small for per-IP limits.
/// </summary>
public sealed class SlidingLog
{
    private readonly Queue<DateTimeOffset> _admitted = new();

    public int Count(DateTimeOffset now, TimeSpan window)
    {
        while (_admitted.TryPeek(out var oldest) && oldest <= now - window)
        {
            _admitted.Dequeue();
        }

        return _admitted.Count;
    }

    public void Add(DateTimeOffset now, int permits)
    {
        for (var i = 0; i < permits; i++)
        {
            _admitted.Enqueue(now);
        }
    }

    /// <summary>Takes back permits leased but never spent: the newest entries.</summary>
    public void Return(int permits)
    {
        if (permits <= 0 || _admitted.Count == 0)
        {
            return;
        }

        var kept = _admitted.Take(Math.Max(0, _admitted.Count - permits)).ToList();
        _admitted.Clear();
        kept.ForEach(_admitted.Enqueue);
    }

    /// <summary>When the oldest admission leaves the window (the earliest a refused client may retry).</summary>
    public DateTimeOffset ResetAt(DateTimeOffset now, TimeSpan window) =>
        _admitted.TryPeek(out var oldest) ? oldest + window : now + window;
}
