using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Surveillance.Api.Audit;
using Surveillance.Audit;

namespace Surveillance.Api.Edge;

/// <summary>
/// Refusals by the edge (403 IP_BLOCKED, 429 RATE_LIMITED) are counted, not audited one by one: a
/// flood of them must not turn into a flood of audit rows. Every
/// <see cref="RateLimitOptions.RefusalAuditSeconds"/> one row per client and error carries the count.
/// Memory is bounded: beyond <see cref="MaxClients"/> clients in one period the rest are counted
/// together under <c>*</c>.
/// </summary>
public sealed class EdgeRefusals(IAuditLog audit, TimeProvider clock)
{
    public const int MaxClients = 10_000;

    /// <summary>Set on a request the edge refused: the audit middleware leaves it to the aggregate row.</summary>
    public const string ItemKey = "surveillance.edge_refusal";

    public const string Event = "edge_refusals";

    private ConcurrentDictionary<(string Client, int Status, string Error), int> _counts = new();
    private DateTimeOffset _periodStart = clock.GetUtcNow();

    public void Count(HttpContext context, string client, int status, string error)
    {
        context.Items[ItemKey] = true;
        var counts = Volatile.Read(ref _counts);
        var key = counts.Count < MaxClients || counts.ContainsKey((client, status, error)) ? (client, status, error) : ("*", status, error);
        counts.AddOrUpdate(key, 1, static (_, n) => n + 1);
    }

    public static bool IsRefusal(HttpContext context) => context.Items.ContainsKey(ItemKey);

    /// <summary>Writes the period's rows and starts a new period.</summary>
    public void Flush()
    {
        var now = clock.GetUtcNow();
        var counts = Interlocked.Exchange(ref _counts, new());
        var started = _periodStart;
        _periodStart = now;
        foreach (var ((client, status, error), count) in counts)
        {
            audit.Enqueue(new AuditEntry
            {
                Timestamp = now,
                RequestId = "edge-refusals-" + now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ClientIp = client,
                Method = "*",
                Path = "*",
                StatusCode = status,
                Event = Event,
                Error = error,
                Details = new Dictionary<string, string>
                {
                    ["count"] = count.ToString(CultureInfo.InvariantCulture),
                    ["from"] = started.ToString("O", CultureInfo.InvariantCulture),
                    ["to"] = now.ToString("O", CultureInfo.InvariantCulture),
                },
            });
        }
    }
}

/// <summary>Flushes <see cref="EdgeRefusals"/> once per period (and at shutdown).</summary>
public sealed class EdgeRefusalsWriter(EdgeRefusals refusals, IOptions<RateLimitOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RefusalAuditSeconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                refusals.Flush();
            }
        }
        finally
        {
            refusals.Flush();
        }
    }
}
