using Microsoft.Extensions.Options;
using Surveillance.Edge;

namespace Surveillance.Api.Edge;

/// <summary>Per-IP limits, section <c>RateLimiting</c> (API.md "Rate limits").</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimiting";

    public Dictionary<string, RuleSetting> Rules { get; set; } = [];

    /// <summary>Proxies whose <c>X-Forwarded-For</c> is believed (IPs and CIDR ranges).</summary>
    public List<string> TrustedProxies { get; set; } = [];

    public sealed class RuleSetting
    {
        public int? Limit { get; set; }
        public int? WindowSeconds { get; set; }
    }

    /// <summary>API.md's table; configuration overrides any of them.</summary>
    public static readonly IReadOnlyDictionary<string, RateRule> Defaults = new Dictionary<string, RateRule>
    {
        [RateRules.Upload] = new(RateRules.Upload, 5, 60),
        [RateRules.Search] = new(RateRules.Search, 60, 60),
        [RateRules.Login] = new(RateRules.Login, 10, 300),
        [RateRules.Frames] = new(RateRules.Frames, 300, 60),
        [RateRules.Default] = new(RateRules.Default, 100, 60),
    };

    /// <summary>The rule with any configured limit or window in place of the default.</summary>
    public RateRule Rule(string name) => Rules.TryGetValue(name, out var setting)
        ? new RateRule(name, setting.Limit ?? Defaults[name].Limit, setting.WindowSeconds ?? Defaults[name].WindowSeconds)
        : Defaults[name];
}

public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        foreach (var (rule, setting) in options.Rules)
        {
            if (!RateLimitOptions.Defaults.ContainsKey(rule))
            {
                failures.Add($"RateLimiting:Rules:{rule} is not a rule; the rules are {string.Join(", ", RateLimitOptions.Defaults.Keys)}.");
            }
            else if (setting.Limit <= 0 || setting.WindowSeconds <= 0)
            {
                failures.Add($"RateLimiting:Rules:{rule} needs a positive Limit and WindowSeconds.");
            }
        }

        try
        {
            IpRanges.Parse(options.TrustedProxies, "RateLimiting:TrustedProxies");
        }
        catch (FormatException e)
        {
            failures.Add(e.Message);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
