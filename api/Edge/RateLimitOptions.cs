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

    /// <summary>IPv6 clients are counted and blocked by this prefix (a subscriber gets a whole /64).</summary>
    public int Ipv6PrefixLength { get; set; } = ClientKeys.DefaultIpv6PrefixLength;

    /// <summary>
    /// The part of a rule's limit the API instances admit on their own, without the client's grain:
    /// each of N instances admits at most <c>floor(Limit × share / N)</c> per window, and the grain
    /// grants only the rest, so the cluster-wide limit holds exactly. 0: every lease comes from the grain.
    /// The login rule is always counted by the grain (the login-storm limit is decided there).
    /// </summary>
    public double LocalAdmissionShare { get; set; } = 0.5;

    /// <summary>Refused requests (403 IP_BLOCKED, 429) are audited as one row per client and error per this many seconds.</summary>
    public int RefusalAuditSeconds { get; set; } = 60;

    /// <summary>
    /// Clients with an aggregate row of their own per period and API instance; the refusals of any
    /// further clients share one <c>*</c> row. Each row is an audit append: a storm from thousands of
    /// addresses, each refused once, must cost a few rows, not one per address.
    /// </summary>
    public int RefusalAuditMaxClients { get; set; } = 100;

    /// <summary>
    /// A login refused because the silo's hashing budget is used up (503) is answered after this
    /// hold: a timer, no thread and no CPU. A client that waits for each answer — as stuffing tools
    /// do, per connection — then cannot turn fast refusals into a flood that takes the CPU the budget
    /// saved. Kept well under a second, so the refusal is still fast.
    /// </summary>
    public int BusyLoginHoldMilliseconds { get; set; } = 250;

    /// <summary>
    /// After the silo answers that its hashing budget is used up, this API instance refuses logins
    /// on its own for this long (<c>LoginGate</c>); 0 asks the silo about every login.
    /// </summary>
    public int BusyLoginGateMilliseconds { get; set; } = 500;

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

        if (options.Ipv6PrefixLength is < 32 or > 128)
        {
            failures.Add("RateLimiting:Ipv6PrefixLength must be 32 to 128 (64 keys a client by its /64).");
        }

        if (options.LocalAdmissionShare is < 0 or > 1 || double.IsNaN(options.LocalAdmissionShare))
        {
            failures.Add("RateLimiting:LocalAdmissionShare must be 0 to 1.");
        }

        if (options.RefusalAuditMaxClients is < 1 or > 100_000)
        {
            failures.Add("RateLimiting:RefusalAuditMaxClients must be 1 to 100000.");
        }

        if (options.RefusalAuditSeconds is < 1 or > 3600)
        {
            failures.Add("RateLimiting:RefusalAuditSeconds must be 1 to 3600.");
        }

        if (options.BusyLoginGateMilliseconds is < 0 or > 5000)
        {
            failures.Add("RateLimiting:BusyLoginGateMilliseconds must be 0 to 5000.");
        }

        if (options.BusyLoginHoldMilliseconds is < 0 or > 5000)
        {
            failures.Add("RateLimiting:BusyLoginHoldMilliseconds must be 0 to 5000.");
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
