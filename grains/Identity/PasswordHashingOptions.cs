using Microsoft.Extensions.Options;
using Surveillance.Storage;

namespace Surveillance.Identity;

/// <summary>Settings of the <c>Auth</c> section that the silo needs to store and check passwords.</summary>
public sealed class PasswordHashingOptions
{
    public const string Section = "Auth";

    /// <summary>bcrypt cost; 12 by default and never below 10 (OWASP Password Storage cheat sheet).</summary>
    public int BcryptWorkFactor { get; set; } = 12;

    /// <summary>Server-side secret for the HMAC-SHA384 pre-hash; never stored with the hashes.</summary>
    public string PasswordPepper { get; set; } = "";

    /// <summary>
    /// bcrypt runs at most this many at once per silo. The default leaves one core to everything
    /// else, so a login storm cannot take the cores that serve reads.
    /// </summary>
    public int HashingThreads { get; set; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Hashes that may wait for a thread; beyond that a login is refused at once (503).</summary>
    public int HashingQueueLength { get; set; } = 2 * Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>
    /// The longest a hash waits in the queue before the login is refused (503) rather than queued
    /// for seconds: about the queue's length in hashes at cost 12, with room for a busy machine.
    /// </summary>
    public int HashingWaitMilliseconds { get; set; } = 1000;

    /// <summary>
    /// The share of the silo's CPU (all cores) that sustained hashing may use; 1 is no bound beyond
    /// <see cref="HashingThreads"/>. bcrypt is CPU-bound: on two cores one hashing thread is half the
    /// machine, and a login storm would take that half from every other request. The default, 1/8,
    /// is a quarter of a core on two cores (about one login per second at cost 12) and one core on eight.
    /// </summary>
    public double HashingCpuShare { get; set; } = 0.125;

    /// <summary>
    /// The Linux nice value of the hashing threads (0 = the silo's own priority, 19 the lowest): when
    /// the cores are contended, hashing yields them to serving requests; an idle core still hashes at
    /// full speed. Ignored on other systems.
    /// </summary>
    public int HashingThreadNice { get; set; } = 10;

    /// <summary>CPU-seconds of hashing allowed at once above the share (a burst of logins after quiet).</summary>
    public double HashingBurstSeconds { get; set; } = 2;
}

internal sealed class PasswordHashingOptionsValidator : IValidateOptions<PasswordHashingOptions>
{
    public ValidateOptionsResult Validate(string? name, PasswordHashingOptions options)
    {
        var failures = new List<string>();
        if (options.BcryptWorkFactor is < 10 or > 31)
        {
            failures.Add("Auth:BcryptWorkFactor must be between 10 and 31.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(options.PasswordPepper ?? "") < 32)
        {
            failures.Add("Auth:PasswordPepper must be a secret of at least 32 bytes (it keys the password pre-hash).");
        }
        else if (SecretStrength.Weakness(options.PasswordPepper!) is { } weakness)
        {
            failures.Add($"Auth:PasswordPepper is weak: {weakness}; generate one with `openssl rand -base64 48`.");
        }

        if (options.HashingThreads < 1 || options.HashingQueueLength < 0 || options.HashingWaitMilliseconds is < 0 or > 10_000)
        {
            failures.Add("Auth:HashingThreads must be at least 1, Auth:HashingQueueLength at least 0, Auth:HashingWaitMilliseconds 0 to 10000.");
        }

        if (options.HashingThreadNice is < 0 or > 19)
        {
            failures.Add("Auth:HashingThreadNice must be 0 to 19.");
        }

        if (options.HashingCpuShare is not (> 0 and <= 1) || options.HashingBurstSeconds is not (>= 0 and <= 600))
        {
            failures.Add("Auth:HashingCpuShare must be above 0 and at most 1, Auth:HashingBurstSeconds 0 to 600.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
