using System.Diagnostics.Metrics;

namespace Surveillance.Telemetry;

/// <summary>
/// The service's own instruments, in one meter named <see cref="MeterName"/>; one instance per
/// process (API or silo), created through <see cref="IMeterFactory"/>. Tags are small closed sets
/// (outcomes, reasons, rule names) — never a user name, an IP or an id, which would make every
/// series unbounded and leak who did what into the monitoring system.
/// </summary>
public sealed class SurveillanceMetrics
{
    public const string MeterName = "Surveillance";

    // Seconds, from a fast search to a long upload or probe: OpenTelemetry's default buckets are milliseconds.
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly Counter<long> _logins;
    private readonly Counter<long> _lockouts;
    private readonly Counter<long> _ipBlocks;
    private readonly Counter<long> _edgeRefusals;
    private readonly Counter<long> _rateLimitRefusals;
    private readonly Counter<long> _uploadBytes;
    private readonly Histogram<double> _uploadDuration;
    private readonly Histogram<double> _probeDuration;
    private readonly Counter<long> _probeFailures;
    private readonly Histogram<double> _searchDuration;
    private readonly Counter<long> _auditAppends;
    private readonly Counter<long> _storageFaults;

    public SurveillanceMetrics(IMeterFactory meterFactory, SearchIndexSizes indexSizes)
    {
        var meter = meterFactory.Create(MeterName);
        _logins = meter.CreateCounter<long>("surveillance.logins", "{login}", "Login attempts by outcome (first step and second factor).");
        _lockouts = meter.CreateCounter<long>("surveillance.account.lockouts", "{lockout}", "Accounts locked after too many failed logins.");
        _ipBlocks = meter.CreateCounter<long>("surveillance.ip.blocks", "{block}", "Client IPs blocked, by reason.");
        _edgeRefusals = meter.CreateCounter<long>("surveillance.edge.refusals", "{request}", "Requests refused at the edge, by reason (error code).");
        _rateLimitRefusals = meter.CreateCounter<long>("surveillance.rate_limit.refusals", "{request}", "429 answers, by rate-limit rule.");
        _uploadBytes = meter.CreateCounter<long>("surveillance.upload.bytes", "By", "Bytes of video stored by completed uploads.");
        _uploadDuration = Seconds(meter, "surveillance.upload.duration", "Duration of completed uploads, from the first byte read to the answer.");
        _probeDuration = Seconds(meter, "surveillance.probe.duration", "Duration of video probes (ffprobe on the decrypted view), by outcome.");
        _probeFailures = meter.CreateCounter<long>("surveillance.probe.failures", "{probe}", "Probes that ended without media information, by reason.");
        _searchDuration = Seconds(meter, "surveillance.search.duration", "Duration of searches: query embedding plus every readable project's index.");
        _auditAppends = meter.CreateCounter<long>("surveillance.audit.appends", "{entry}", "Audit entries appended to the hash chain.");
        _storageFaults = meter.CreateCounter<long>("surveillance.storage.faults", "{fault}", "Database or storage faults answered as 503, by where they surfaced.");
        // No measurement at all where no index is active (an API process): a 0 there would read as "the index is empty".
        meter.CreateObservableGauge<long>("surveillance.search.index.frames",
            () => indexSizes.ActiveIndexes() == 0 ? [] : [new Measurement<long>(indexSizes.TotalFrames())], "{frame}",
            "Frames held by the search indexes active in this process.");
        meter.CreateObservableGauge<int>("surveillance.search.indexes",
            () => indexSizes.ActiveIndexes() == 0 ? [] : [new Measurement<int>(indexSizes.ActiveIndexes())], "{index}",
            "Search indexes (one per project) active in this process.");
    }

    /// <param name="outcome">One of <see cref="LoginOutcomes"/>.</param>
    public void Login(string outcome) => _logins.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void AccountLockedOut() => _lockouts.Add(1);

    /// <param name="reason"><c>threats</c>, <c>failed_logins</c> or <c>admin</c>.</param>
    public void IpBlocked(string reason) => _ipBlocks.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <param name="reason">The problem's error code, e.g. <c>IP_BLOCKED</c>, <c>RATE_LIMITED</c>.</param>
    public void EdgeRefused(string reason) => _edgeRefusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void RateLimitRefused(string rule) => _rateLimitRefusals.Add(1, new KeyValuePair<string, object?>("rule", rule));

    public void UploadStored(long bytes, TimeSpan duration)
    {
        _uploadBytes.Add(bytes);
        _uploadDuration.Record(duration.TotalSeconds);
    }

    /// <summary>A probe ended; <paramref name="failure"/> is null when it produced media information, else a short reason.</summary>
    public void ProbeCompleted(TimeSpan duration, string? failure)
    {
        _probeDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", failure is null ? "succeeded" : "failed"));
        if (failure is not null)
        {
            ProbeFailed(failure);
        }
    }

    /// <summary>A probe failed without an outcome (an exception; the video's reminder retries it).</summary>
    public void ProbeFailed(string reason) => _probeFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void SearchCompleted(TimeSpan duration) => _searchDuration.Record(duration.TotalSeconds);

    public void AuditAppended(int entries) => _auditAppends.Add(entries);

    /// <param name="source">Where the fault was seen, e.g. <c>grain_storage</c>, <c>cluster</c>, <c>database</c>.</param>
    public void StorageFault(string source) => _storageFaults.Add(1, new KeyValuePair<string, object?>("source", source));

    private static Histogram<double> Seconds(Meter meter, string name, string description) =>
        meter.CreateHistogram(name, "s", description, tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
}
