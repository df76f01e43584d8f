namespace Surveillance.Api.Edge;

/// <summary>
/// The rate limit (<see cref="RateRules"/>) an endpoint's requests count against, or none (health
/// checks). An endpoint without it, and a request that matches no endpoint, falls under
/// <see cref="RateRules.Default"/>.
/// </summary>
public sealed class RateRuleMetadata
{
    public static readonly RateRuleMetadata Exempt = new(null);

    private RateRuleMetadata(string? rule) => Rule = rule;

    /// <summary>The rule's name; null when the endpoint is not rate limited nor refused to a blocked client.</summary>
    public string? Rule { get; }

    public static RateRuleMetadata For(string rule) => new(rule);
}

public static class RateRuleEndpointExtensions
{
    /// <summary>Counts the endpoint's requests against the named rule, e.g. <c>.WithRateRule(RateRules.Login)</c>.</summary>
    public static TBuilder WithRateRule<TBuilder>(this TBuilder builder, string rule) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(RateRuleMetadata.For(rule));

    /// <summary>Neither rate limited nor refused to a blocked client (API.md: <c>/health*</c>).</summary>
    public static TBuilder WithoutRateLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(RateRuleMetadata.Exempt);
}
