using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Surveillance.Api.Telemetry;
using Surveillance.Audit;

namespace Surveillance.Api.Edge;

/// <summary>
/// Refusals by the edge (403 IP_BLOCKED, 429 RATE_LIMITED, and 503 for a login beyond the hashing budget) are counted, not audited one by one: a
/// flood of them must not turn into a flood of audit rows. Every
/// <see cref="RateLimitOptions.RefusalAuditSeconds"/> one row per client and error carries the count.
/// Beyond <see cref="RateLimitOptions.RefusalAuditMaxClients"/> clients in one period the rest are
/// counted together under <c>*</c>: that bounds memory, and the audit rows a period writes — a botnet
/// whose every address is refused once would otherwise cost one row per request after all.
/// </summary>
public sealed class EdgeRefusals(IAuditLog audit, IOptions<RateLimitOptions> options, TimeProvider clock)
{
    private readonly int _maxClients = options.Value.RefusalAuditMaxClients;

    /// <summary>Set on a request the edge refused: the audit middleware leaves it to the aggregate row.</summary>
    public const string ItemKey = "surveillance.edge_refusal";

    /// <summary>The event of the aggregate row of 403 IP_BLOCKED refusals; 429s keep OWASP's <c>excess_rate_limit_exceeded</c>.</summary>
    public const string BlockedEvent = "ip_blocked_refused";

    /// <summary>The event of the aggregate row of logins refused with 503 because the silo's hashing budget was used up.</summary>
    public const string LoginBusyEvent = "authn_login_refused_busy";

    /// <summary>Every aggregate row's request id starts with this.</summary>
    public const string RequestIdPrefix = "edge-refusals-";

    private Period _period = new(clock.GetUtcNow());

    public void Count(HttpContext context, string client, int status, string error)
    {
        context.Items[ItemKey] = true;
        context.Metrics().EdgeRefused(error);
        var period = Volatile.Read(ref _period);
        var key = (client, status, error);
        // ConcurrentDictionary.Count takes every lock: the period counts its keys itself.
        if (!period.Counts.ContainsKey(key) && Interlocked.Increment(ref period.Keys) > _maxClients)
        {
            key = ("*", status, error);
        }

        period.Counts.AddOrUpdate(key, 1, static (_, n) => n + 1);
    }

    public static bool IsRefusal(HttpContext context) => context.Items.ContainsKey(ItemKey);

    /// <summary>Writes the period's rows and starts a new period.</summary>
    public void Flush()
    {
        var now = clock.GetUtcNow();
        var period = Interlocked.Exchange(ref _period, new Period(now));
        var started = period.Start;
        var row = 0;
        foreach (var ((client, status, error), count) in period.Counts)
        {
            audit.Enqueue(new AuditEntry
            {
                Timestamp = now,
                RequestId = string.Create(CultureInfo.InvariantCulture, $"{RequestIdPrefix}{now.ToUnixTimeMilliseconds()}-{row++}"),
                ClientIp = client,
                Method = "*",
                Path = "*",
                StatusCode = status,
                Event = status switch
                {
                    StatusCodes.Status429TooManyRequests => AuditEvents.RateLimitExceeded,
                    StatusCodes.Status503ServiceUnavailable => LoginBusyEvent,
                    _ => BlockedEvent,
                },
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

    private sealed class Period(DateTimeOffset start)
    {
        public int Keys;

        public DateTimeOffset Start { get; } = start;

        public ConcurrentDictionary<(string Client, int Status, string Error), int> Counts { get; } = new();
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
