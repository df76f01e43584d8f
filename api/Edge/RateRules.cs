using Microsoft.Extensions.Options;
using Surveillance.Api.Http;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>
/// The configured limit of each rule; which rule a request falls under is its endpoint's
/// <see cref="RateRuleMetadata"/> (routing runs before the edge; see <see cref="RouteMetadata"/>).
/// </summary>
public sealed class RateRules(IOptions<RateLimitOptions> options)
{
    public const string Upload = "upload";
    public const string Search = "search";
    public const string Login = "login";
    public const string Frames = "frames";
    public const string Default = "default";

    private readonly Dictionary<string, RateRule> _rules =
        RateLimitOptions.Defaults.Keys.ToDictionary(k => k, k => options.Value.Rule(k));

    public static bool IsExempt(HttpContext context) => Metadata(context) is { Rule: null };

    public RateRule For(HttpContext context) => _rules[Metadata(context)?.Rule ?? Default];

    private static RateRuleMetadata? Metadata(HttpContext context) => RouteMetadata.Of(context)?.GetMetadata<RateRuleMetadata>();
}
