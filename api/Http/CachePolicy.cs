namespace Surveillance.Api.Http;

/// <summary>Whether a response may be stored by caches (set by <see cref="SecurityHeadersMiddleware"/>).</summary>
public enum CachePolicy
{
    /// <summary>The endpoint sets its own <c>Cache-Control</c>, or none.</summary>
    ResponseDecides,

    /// <summary><c>Cache-Control: no-store</c> (API.md: <c>/auth/*</c>, <c>/admin/*</c>).</summary>
    NoStore,
}

/// <summary>An endpoint's <see cref="CachePolicy"/>.</summary>
public sealed class CachePolicyMetadata
{
    private static readonly CachePolicyMetadata ResponseDecides = new(CachePolicy.ResponseDecides);
    private static readonly CachePolicyMetadata NoStore = new(CachePolicy.NoStore);

    private CachePolicyMetadata(CachePolicy policy) => Policy = policy;

    public CachePolicy Policy { get; }

    public static CachePolicyMetadata For(CachePolicy policy) => policy == CachePolicy.NoStore ? NoStore : ResponseDecides;

    /// <summary>
    /// The policy of the request's endpoint. A request that matched no route (a 404, or the 405
    /// routing answers for a known path) is not stored: its path may lie under <c>/auth</c> or <c>/admin</c>.
    /// </summary>
    public static CachePolicy Of(Endpoint? endpoint) => endpoint is RouteEndpoint
        ? endpoint.Metadata.GetMetadata<CachePolicyMetadata>()?.Policy ?? CachePolicy.ResponseDecides
        : CachePolicy.NoStore;
}

public static class CachePolicyEndpointExtensions
{
    public static TBuilder WithCachePolicy<TBuilder>(this TBuilder builder, CachePolicy policy) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(CachePolicyMetadata.For(policy));
}
