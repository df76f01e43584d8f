using Microsoft.Extensions.Options;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>Which limit a path falls under; <c>/health*</c> falls under none.</summary>
public sealed class RateRules(IOptions<RateLimitOptions> options)
{
    public const string Upload = "upload";
    public const string Search = "search";
    public const string Login = "login";
    public const string Frames = "frames";
    public const string Default = "default";

    private readonly Dictionary<string, RateRule> _rules =
        RateLimitOptions.Defaults.Keys.ToDictionary(k => k, k => options.Value.Rule(k));

    public static bool IsExempt(PathString path) => path.StartsWithSegments("/health");

    public RateRule For(PathString path) => _rules[
        path.StartsWithSegments("/surveillance/upload") ? Upload
        : path.StartsWithSegments("/surveillance/search") ? Search
        : path.StartsWithSegments("/auth/login") || path.StartsWithSegments("/auth/mfa/verify") ? Login
        : path.StartsWithSegments("/surveillance/frame") ? Frames
        : Default];
}
