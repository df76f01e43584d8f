namespace Surveillance.Identity;

/// <summary>
/// The live sessions of one user as of <see cref="Version"/>, which an API instance may use for
/// <see cref="Lifetime"/>, counted from before it asked, unless it is told to forget them sooner.
/// </summary>
[GenerateSerializer, Immutable, Alias("surveillance.SessionLease")]
public sealed record SessionLease(
    [property: Id(0)] long Version,
    [property: Id(1)] IReadOnlyDictionary<string, DateTimeOffset> ExpiryByTokenId,
    [property: Id(2)] TimeSpan Lifetime);
