using System.Collections.Concurrent;
using Surveillance.Identity;

namespace Surveillance.Tests.Grains;

/// <summary>An API instance's lease cache that records each recall and answers at once.</summary>
internal sealed class RecordingHolder : ISessionCacheObserver
{
    public ConcurrentQueue<(string Username, long Version)> Recalls { get; } = new();

    public Task ForgetAsync(string username, long version)
    {
        Recalls.Enqueue((username, version));
        return Task.CompletedTask;
    }
}

/// <summary>An API instance's lease cache that never answers a recall (gone, partitioned).</summary>
internal sealed class SilentHolder : ISessionCacheObserver
{
    public bool Called { get; private set; }

    public Task ForgetAsync(string username, long version)
    {
        Called = true;
        return new TaskCompletionSource().Task;
    }
}
