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
    /// The policy of the request's route (<see cref="RouteMetadata"/>). A path no route matches (a 404)
    /// is not stored: it may lie under <c>/auth</c> or <c>/admin</c>.
    /// </summary>
    public static CachePolicy Of(EndpointMetadataCollection? route) => route is null
        ? CachePolicy.NoStore
        : route.GetMetadata<CachePolicyMetadata>()?.Policy ?? CachePolicy.ResponseDecides;
}

public static class CachePolicyEndpointExtensions
{
    public static TBuilder WithCachePolicy<TBuilder>(this TBuilder builder, CachePolicy policy) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(CachePolicyMetadata.For(policy));
}
