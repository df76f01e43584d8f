using Orleans.Storage;
using Surveillance.Errors;

namespace Surveillance.Silo.Faults;

/// <summary>
/// Wraps the ADO.NET grain storage so that a database fault while reading or writing state fails
/// with <see cref="DomainException"/> <see cref="DomainError.Unavailable"/>. The grain call filter
/// (<see cref="StorageFaultTranslation"/>) does not see a grain's activation, and an activation
/// reads the grain's state: without this, a call to a grain that was not in memory during an
/// outage reached the API as <c>CodecNotFoundException</c> for Npgsql's exception.
/// </summary>
public sealed class UnavailableStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TranslateAsync(inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TranslateAsync(inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TranslateAsync(inner.ClearStateAsync(stateName, grainId, grainState));

    // The ADO.NET provider initialises itself in the silo's lifecycle; the wrapper must pass that on.
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    private static async Task TranslateAsync(Task operation)
    {
        try
        {
            await operation;
        }
        catch (Exception exception) when (StorageFaultTranslation.IsDatabaseFault(exception))
        {
            throw DomainException.Unavailable("The database is unavailable; retry shortly.");
        }
    }
}

public static class UnavailableStorageExtensions
{
    /// <summary>Decorates the keyed grain storage <paramref name="name"/> (registered before) with <see cref="UnavailableStorage"/>.</summary>
    public static IServiceCollection TranslateStorageFaults(this IServiceCollection services, string name)
    {
        var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, name));
        var factory = original.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"Grain storage '{name}' is not registered through a factory.");
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new UnavailableStorage((IGrainStorage)factory(sp, key)));
        return services;
    }
}
