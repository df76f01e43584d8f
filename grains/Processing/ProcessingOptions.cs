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

    /// <summary>
    /// Load the embedding model when the silo starts (in the background), so that the first search
    /// after a restart does not wait for it. Off where silos start often and rarely search (tests).
    /// </summary>
    public bool WarmUpEmbedder { get; set; } = true;

    /// <summary>The ffmpeg executable that decodes frame images: a name found on PATH, or a full path.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>Decrypted views (probes and frame decodes) open at once on one silo; more are refused with 503.</summary>
    public int MaxOpenViews { get; set; } = 16;

    /// <summary>Requests one view serves at once (ffmpeg opens a second connection while seeking).</summary>
    public int MaxRequestsPerView { get; set; } = 4;

    /// <summary>Frame images decoded at once on one silo (each is one ffmpeg process).</summary>
    public int MaxConcurrentDecodes { get; set; } = 2;

    /// <summary>How long a frame image waits for a decoding slot before the request is shed with 503.</summary>
    public int DecodeQueueSeconds { get; set; } = 3;

    /// <summary>
    /// Threads of one decode's H.264/HEVC decoder (ffmpeg's <c>-threads</c>, before <c>-i</c>). ffmpeg's
    /// default (cores + 1 frame threads) costs more memory and CPU per decode for one picture: with
    /// 2 on the 2-core bench machine a frame 46 pictures after its key frame took 278 ms instead of
    /// 299 ms (bench/README.md), and decodes run side by side (<see cref="MaxConcurrentDecodes"/>).
    /// </summary>
    public int DecoderThreads { get; set; } = 2;

    /// <summary>A decode still running after this is killed and answered with 503.</summary>
    public int DecodeTimeoutSeconds { get; set; } = 15;

    /// <summary>Memory for decoded frame images per silo (never written to disk).</summary>
    public int FrameCacheMegabytes { get; set; } = 64;
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

        if (string.IsNullOrWhiteSpace(options.FfmpegPath))
        {
            failures.Add("Processing:FfmpegPath must name the ffmpeg executable.");
        }

        Range(failures, "MaxOpenViews", options.MaxOpenViews, 1, 1024);
        Range(failures, "MaxRequestsPerView", options.MaxRequestsPerView, 1, 64);
        Range(failures, "MaxConcurrentDecodes", options.MaxConcurrentDecodes, 1, 64);
        Range(failures, "DecoderThreads", options.DecoderThreads, 1, 16);
        Range(failures, "DecodeQueueSeconds", options.DecodeQueueSeconds, 0, 20);
        Range(failures, "DecodeTimeoutSeconds", options.DecodeTimeoutSeconds, 1, 25);
        Range(failures, "FrameCacheMegabytes", options.FrameCacheMegabytes, 0, 4096);
        if (options.DecodeQueueSeconds + options.DecodeTimeoutSeconds > 25)
        {
            // Both happen inside one grain call; Orleans gives up on a call after 30 s.
            failures.Add("Processing:DecodeQueueSeconds + DecodeTimeoutSeconds must be at most 25.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"Processing:{name} must be {min} to {max}.");
        }
    }
}
