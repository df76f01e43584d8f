namespace Surveillance.Edge;

/// <summary>Sums the silos' latest reports; a silo that stopped reporting drops out after a few seconds.</summary>
public sealed class LoginPressureGrain(TimeProvider clock) : Grain, ILoginPressureGrain
{
    private static readonly TimeSpan ReportLifetime = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, (int Count, DateTimeOffset At)> _reports = new(StringComparer.Ordinal);

    public Task<int> ReportAsync(string silo, int failedLoginsLastMinute)
    {
        var now = clock.GetUtcNow();
        _reports[silo] = (failedLoginsLastMinute, now);
        foreach (var stale in _reports.Where(r => r.Value.At + ReportLifetime <= now).Select(r => r.Key).ToList())
        {
            _reports.Remove(stale);
        }

        return Task.FromResult(_reports.Values.Sum(r => r.Count));
    }
}
