namespace Surveillance.Edge;

/// <summary>
/// The cluster-wide failed-login rate (key 0): each silo reports its own count of the last minute
/// every second and learns the cluster's total, from which it decides whether a login storm is on.
/// </summary>
[Alias("surveillance.ILoginPressureGrain")]
public interface ILoginPressureGrain : IGrainWithIntegerKey
{
    /// <summary>Records <paramref name="silo"/>'s failed logins of the last minute; returns the cluster's total.</summary>
    [Alias("ReportAsync")] Task<int> ReportAsync(string silo, int failedLoginsLastMinute);
}
