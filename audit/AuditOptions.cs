using Microsoft.Extensions.Options;
using Surveillance.Storage;

namespace Surveillance.Audit;

/// <summary>Audit settings, section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";
    public const int MinKeyBytes = 32;

    /// <summary>Base64 key of the hash chain (≥ 32 bytes). Without it nobody can forge a valid chain.</summary>
    public string HmacKey { get; set; } = "";

    /// <summary>Entries waiting for the background writer; beyond this, routine entries are dropped (and counted).</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Most entries the background writer appends in one transaction.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// Security events waiting for their (group) commit; beyond this a refused or failed one is counted
    /// in an aggregate row instead of its own, so a login storm cannot make the audit log its bottleneck.
    /// </summary>
    public int SecurityPendingLimit { get; set; } = 1_000;

    public byte[] KeyBytes => Convert.FromBase64String(HmacKey);
}

/// <summary>Stops the host when the audit key is missing, not base64 or short.</summary>
public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        var failures = new List<string>();
        var key = new byte[options.HmacKey.Length];
        if (!Convert.TryFromBase64String(options.HmacKey, key, out var length) || length < AuditOptions.MinKeyBytes)
        {
            failures.Add($"Audit:HmacKey must be base64 of at least {AuditOptions.MinKeyBytes} random bytes " +
                "(e.g. `openssl rand -base64 32`); it keys the audit log's hash chain.");
        }
        else if (SecretStrength.Weakness(options.HmacKey, key.AsSpan(0, length)) is { } weakness)
        {
            failures.Add($"Audit:HmacKey is weak: {weakness}; generate one with `openssl rand -base64 32`.");
        }

        if (options.QueueCapacity is < 100 or > 1_000_000)
        {
            failures.Add("Audit:QueueCapacity must be between 100 and 1000000.");
        }

        if (options.SecurityPendingLimit is < 1 or > 1_000_000)
        {
            failures.Add("Audit:SecurityPendingLimit must be between 1 and 1000000.");
        }

        if (options.BatchSize is < 1 or > 5_000)
        {
            failures.Add("Audit:BatchSize must be between 1 and 5000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
