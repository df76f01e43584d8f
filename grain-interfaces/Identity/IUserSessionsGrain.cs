using Orleans.Concurrency;

namespace Surveillance.Identity;

/// <summary>
/// The live sessions (token ids) of one user, keyed by username. A token is accepted only while
/// its id is here, so revocation holds on every API instance (ASVS 7.4.1: logout must
/// invalidate the token server-side).
/// </summary>
[Alias("surveillance.IUserSessionsGrain")]
public interface IUserSessionsGrain : IGrainWithStringKey
{
    /// <summary>Records a newly issued token.</summary>
    [Alias("OpenAsync")] Task OpenAsync(SessionTicket ticket);

    /// <summary>True while the token was issued and neither revoked nor expired: the per-request check.</summary>
    [Alias("IsActiveAsync"), ReadOnly] Task<bool> IsActiveAsync(string tokenId);

    /// <summary>Revokes one token (logout).</summary>
    [Alias("RevokeAsync")] Task RevokeAsync(string tokenId);

    /// <summary>Revokes every token of the user except, optionally, one.</summary>
    [Alias("RevokeAllAsync")] Task RevokeAllAsync(string? exceptTokenId);
}
