using Microsoft.Extensions.Options;

namespace Surveillance.Processing;

/// <summary>How videos are probed and results embedded, section <c>Processing</c>.</summary>
public sealed class ProcessingOptions
{
    public const string Section = "Processing";

    /// <summary>The ffprobe executable: a name found on PATH, or a full path.</summary>
    public string FfprobePath { get; set; } = "ffprobe";

    /// <summary>A probe still running after this is killed and the job fails.</summary>
    public int ProbeTimeoutSeconds { get; set; } = 300;

    /// <summary>Probes running at once on one silo; more wait their turn.</summary>
    public int MaxConcurrentProbes { get; set; } = 2;

    /// <summary>How often a job whose probe has not finished (e.g. its silo died) is looked at again.</summary>
    public int ProbeRetrySeconds { get; set; } = 60;

    /// <summary>Probe attempts before a job that never finishes probing is failed.</summary>
    public int MaxProbeAttempts { get; set; } = 3;

    /// <summary>Threads the embedding model may use per silo.</summary>
    public int EmbeddingThreads { get; set; } = 1;
}

public sealed class ProcessingOptionsValidator : IValidateOptions<ProcessingOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessingOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.FfprobePath))
        {
            failures.Add("Processing:FfprobePath must name the ffprobe executable.");
        }

        if (options.ProbeTimeoutSeconds is < 1 or > 86_400)
        {
            failures.Add("Processing:ProbeTimeoutSeconds must be 1 to 86400.");
        }

        if (options.MaxConcurrentProbes is < 1 or > 64)
        {
            failures.Add("Processing:MaxConcurrentProbes must be 1 to 64.");
        }

        if (options.ProbeRetrySeconds is < 1 or > 86_400)
        {
            failures.Add("Processing:ProbeRetrySeconds must be 1 to 86400.");
        }

        if (options.MaxProbeAttempts is < 1 or > 100)
        {
            failures.Add("Processing:MaxProbeAttempts must be 1 to 100.");
        }

        if (options.EmbeddingThreads is < 1 or > 64)
        {
            failures.Add("Processing:EmbeddingThreads must be 1 to 64.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
