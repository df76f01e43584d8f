using Orleans.Storage;

namespace Surveillance.Tests.Auth;

/// <summary>A grain storage whose writes and clears take <see cref="Delay"/> longer: a slow or distant database.</summary>
public sealed class SlowWriteStorage(IGrainStorage inner, TimeSpan delay) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public TimeSpan Delay => delay;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await Task.Delay(delay);
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await Task.Delay(delay);
        await inner.ClearStateAsync(stateName, grainId, grainState);
    }

    // The ADO.NET storage initialises itself in the silo's lifecycle: it must still be asked to.
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
