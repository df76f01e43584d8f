namespace Surveillance.Identity;

/// <summary>
/// The live sessions (token ids) of one user, keyed by username. A token is accepted only while
/// its id is here, so revocation holds on every API instance (ASVS 7.4.1: logout must
/// invalidate the token server-side). API instances cache its answer through leases
/// (<see cref="LeaseAsync"/>); every removal returns only after each holder has forgotten it or
/// its lease has run out, so a revoked token is refused everywhere once the call returns.
/// </summary>
[Alias("surveillance.IUserSessionsGrain")]
public interface IUserSessionsGrain : IGrainWithStringKey
{
    /// <summary>Records a newly issued token.</summary>
    [Alias("OpenAsync")] Task OpenAsync(SessionTicket ticket);

    /// <summary>
    /// The live sessions for <paramref name="holder"/> to cache for the lease's lifetime: the per-request
    /// check without a grain call. The holder is told to forget them when a session ends or the profile changes.
    /// </summary>
    [Alias("LeaseAsync")] Task<SessionLease> LeaseAsync(ISessionCacheObserver holder);

    /// <summary>The user's profile changed: holders drop what they cached, so that they show the new one.</summary>
    [Alias("ProfileChangedAsync")] Task ProfileChangedAsync();

    /// <summary>Revokes one token (logout).</summary>
    [Alias("RevokeAsync")] Task RevokeAsync(string tokenId);

    /// <summary>Revokes every token of the user except, optionally, one.</summary>
    [Alias("RevokeAllAsync")] Task RevokeAllAsync(string? exceptTokenId);
}
