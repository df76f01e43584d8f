using Surveillance.Edge;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Grains;

/// <summary>A cluster without an API, with small threat thresholds, for the per-IP grains themselves.</summary>
public sealed class ClientIpGrainFixture : IAsyncLifetime
{
    public const int MaxThreats = 3;
    public const int MaxFailedLogins = 4;
    public const int BlockSeconds = 120;
    public const string AllowlistedRange = "192.0.2.0/24";

    private static int _nextIp = Random.Shared.Next(1 << 16);

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(new TestSettings
    {
        Overrides =
        {
            ["Threats:MaxThreats"] = $"{MaxThreats}",
            ["Threats:MaxFailedLogins"] = $"{MaxFailedLogins}",
            ["Threats:BlockSeconds"] = $"{BlockSeconds}",
            ["Threats:Allowlist:0"] = AllowlistedRange,
        },
    });

    public Task DisposeAsync() => Cluster.DisposeAsync().AsTask();

    public IClientIpGrain Ip(string ip) => Cluster.Client.GetGrain<IClientIpGrain>(ip);

    public IBlockedIpsGrain BlockedIps => Cluster.Client.GetGrain<IBlockedIpsGrain>(0);

    /// <summary>An address of 203.0.113.0/24 (TEST-NET-3) or 198.51.100.0/24 no other test of this class uses.</summary>
    public static string NewIp()
    {
        var n = Interlocked.Increment(ref _nextIp) & 0x1FF;
        return n < 256 ? $"203.0.113.{n}" : $"198.51.100.{n - 256}";
    }
}
