namespace Surveillance.Identity;

/// <summary>
/// An API instance's cache of session leases (<see cref="IUserSessionsGrain.LeaseAsync"/>). The
/// session grain calls it when a user's sessions or profile change, and a revocation returns only
/// once every holder has answered or its lease has run out.
/// </summary>
[Alias("surveillance.ISessionCacheObserver")]
public interface ISessionCacheObserver : IGrainObserver
{
    /// <summary>
    /// Drops what is cached about the user. A lease older than <paramref name="version"/> that
    /// arrives later (messages may overtake each other) must not be cached.
    /// </summary>
    [Alias("ForgetAsync")] Task ForgetAsync(string username, long version);
}
