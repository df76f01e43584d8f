using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Surveillance.Api.Auth;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>One hashing thread, a queue of one with a long wait, and a login gate of 3 s.</summary>
public sealed class LongHashingQueueFixture : ApiFixture
{
    public const int GateMilliseconds = 3000;

    protected override TestSettings CreateSettings() => new()
    {
        Overrides =
        {
            ["Auth:HashingThreads"] = "1",
            ["Auth:HashingQueueLength"] = "1",
            ["Auth:HashingWaitMilliseconds"] = "10000",
            ["Auth:HashingCpuShare"] = "1",
            ["RateLimiting:BusyLoginGateMilliseconds"] = $"{GateMilliseconds}",
        },
    };

    public HashingBudget Budget => Cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<HashingBudget>();
}

/// <summary>
/// Issue 10: during a storm the silo's one hashing thread is busy (at low priority, starved of CPU by
/// the reads); the API instance's half-open login gate lets one login through as a probe. The probe
/// asks whether hashing is free now: it must be answered busy at once, not after waiting out the
/// queue (10 s here) — else every probe of a storm is a slow 503.
/// </summary>
public sealed class LoginProbeTests(LongHashingQueueFixture fixture) : IClassFixture<LongHashingQueueFixture>
{
    [Fact]
    public async Task LoginStormProbe_WhileTheHashingThreadIsBusy_Gets503AtOnce_InsteadOfWaitingInTheHashingQueue()
    {
        var http = fixture.CreateClient();
        using var hold = new ManualResetEventSlim();
        var holding = await OccupyTheHashingThreadAsync(fixture.Budget, hold);

        // The silo's last answer was busy (as during a storm); after the window the next login is the
        // probe, well within the two windows after which the gate would open again.
        fixture.Api.Services.GetRequiredService<LoginGate>().Close(retryAfterSeconds: 1);
        await Task.Delay(LongHashingQueueFixture.GateMilliseconds + 200);
        var probe = http.PostLoginAsync("probe-" + Guid.NewGuid().ToString("N")[..8], "wrong password", EdgeFixture.NewIp());
        var first = await Task.WhenAny(probe, Task.Delay(TimeSpan.FromSeconds(5)));
        hold.Set();
        await holding;

        Assert.Same(probe, first);
        var answer = await probe;
        await answer.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        Assert.InRange(int.Parse(answer.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 1, 60);
    }

    /// <summary>Runs a hash that holds the budget's one thread until <paramref name="release"/>; returns once it runs.</summary>
    private static async Task<Task> OccupyTheHashingThreadAsync(HashingBudget budget, ManualResetEventSlim release)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = budget.TryRunAsync(() =>
        {
            started.SetResult();
            return release.Wait(TimeSpan.FromSeconds(60));
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return holding;
    }

}
