using System.Collections.Concurrent;
using Orleans.Storage;

namespace Surveillance.Tests.Auth;

/// <summary>
/// A grain storage that can hold the writes of chosen grains until the test releases them: the
/// slowest store there is. It counts the writes each grain attempts.
/// </summary>
public sealed class HeldWriteStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly ConcurrentDictionary<string, Hold> Holds = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> Attempts = new(StringComparer.Ordinal);

    /// <summary>Holds every write of the grains whose key is <paramref name="key"/> until released.</summary>
    public static Hold HoldWritesOf(string key) => Holds[key] = new Hold();

    public static int WritesAttemptedBy(string key) => Attempts.GetValueOrDefault(key);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await WaitIfHeldAsync(grainId);
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await WaitIfHeldAsync(grainId);
        await inner.ClearStateAsync(stateName, grainId, grainState);
    }

    // The ADO.NET storage initialises itself in the silo's lifecycle: it must still be asked to.
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    private static async Task WaitIfHeldAsync(GrainId grainId)
    {
        var key = grainId.Key.ToString()!;
        Attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (Holds.TryGetValue(key, out var hold))
        {
            await hold.Released.Task;
        }
    }

    public sealed class Hold
    {
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
