namespace Surveillance.Edge;

/// <summary>
/// A sliding-window log: the admission times inside the window, oldest first, as runs of permits
/// granted at the same instant (a lease is one run). Exact (no approximation error); memory is one
/// entry per grant inside the window, and every operation is O(1) amortised.
/// </summary>
public sealed class SlidingLog
{
    private readonly LinkedList<Run> _runs = new();
    private int _count;

    public int Count(DateTimeOffset now, TimeSpan window)
    {
        while (_runs.First is { } oldest && oldest.Value.At <= now - window)
        {
            _count -= oldest.Value.Permits;
            _runs.RemoveFirst();
        }

        return _count;
    }

    public void Add(DateTimeOffset now, int permits)
    {
        if (permits <= 0)
        {
            return;
        }

        if (_runs.Last is { } newest && newest.Value.At == now)
        {
            newest.Value = newest.Value with { Permits = newest.Value.Permits + permits };
        }
        else
        {
            _runs.AddLast(new Run(now, permits));
        }

        _count += permits;
    }

    /// <summary>Takes back permits leased but never spent: the newest entries.</summary>
    public void Return(int permits)
    {
        while (permits > 0 && _runs.Last is { } newest)
        {
            var taken = Math.Min(permits, newest.Value.Permits);
            permits -= taken;
            _count -= taken;
            if (taken == newest.Value.Permits)
            {
                _runs.RemoveLast();
            }
            else
            {
                newest.Value = newest.Value with { Permits = newest.Value.Permits - taken };
            }
        }
    }

    /// <summary>When the oldest admission leaves the window (the earliest a refused client may retry).</summary>
    public DateTimeOffset ResetAt(DateTimeOffset now, TimeSpan window) =>
        _runs.First is { } oldest ? oldest.Value.At + window : now + window;

    private readonly record struct Run(DateTimeOffset At, int Permits);
}
