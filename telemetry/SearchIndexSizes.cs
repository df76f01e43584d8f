using System.Collections.Concurrent;

namespace Surveillance.Telemetry;

/// <summary>
/// The sizes behind the index gauges, read only when a scrape asks: each active search index
/// registers a callback for its frame count and disposes the registration when it deactivates.
/// Whatever holds an index (today <c>FrameIndexGrain</c>) calls <see cref="Track"/>; nothing else
/// here knows how an index is built.
/// </summary>
public sealed class SearchIndexSizes
{
    private readonly ConcurrentDictionary<Registration, Func<long>> _indexes = new();

    /// <summary>Registers an index; <paramref name="frames"/> is called from the scraping thread, so it must only read.</summary>
    public IDisposable Track(Func<long> frames)
    {
        var registration = new Registration(this);
        _indexes[registration] = frames;
        return registration;
    }

    public long TotalFrames() => _indexes.Values.Sum(frames => frames());

    public int ActiveIndexes() => _indexes.Count;

    private sealed class Registration(SearchIndexSizes owner) : IDisposable
    {
        public void Dispose() => owner._indexes.TryRemove(this, out _);
    }
}
