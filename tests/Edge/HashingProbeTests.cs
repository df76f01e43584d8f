using Microsoft.Extensions.Options;
using Surveillance.Identity;

namespace Surveillance.Tests.Edge;

/// <summary>
/// Issue 10: the login gate's probe asks whether hashing capacity is free now. Queued, it would wait
/// out the whole queue wait behind a hash that a storm starves of CPU, and every probe of a storm
/// would be a slow 503.
/// </summary>
public sealed class HashingProbeTests
{
    private static HashingBudget Budget() => new(Options.Create(new PasswordHashingOptions
    {
        HashingThreads = 1,
        HashingQueueLength = 4,
        HashingWaitMilliseconds = 10_000,
        HashingCpuShare = 1,
    }));

    [Fact]
    public async Task LoginStormProbe_FindingTheHashingThreadBusy_IsRefusedAtOnce_NotQueued()
    {
        using var budget = Budget();
        using var release = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = budget.TryRunAsync(() =>
        {
            started.SetResult();
            return release.Wait(TimeSpan.FromSeconds(30));
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var probe = budget.TryRunAsync(() => true, mayWait: false);
        var queued = budget.TryRunAsync(() => true);
        var first = await Task.WhenAny(probe, queued, Task.Delay(TimeSpan.FromSeconds(5)));

        Assert.Same(probe, first);
        Assert.True((await probe).Refused);
        Assert.True((await probe).RetryAfter > TimeSpan.Zero);
        Assert.False(queued.IsCompleted, "the queued hash should still be waiting for the thread");
        release.Set();
        Assert.True((await running).Ran);
        Assert.True((await queued).Ran);
    }

    [Fact]
    public async Task LoginStormProbe_WithAFreeHashingThread_Runs()
    {
        using var budget = Budget();

        var probe = await budget.TryRunAsync(() => true, mayWait: false);

        Assert.True(probe.Ran);
        Assert.Equal(0, budget.Refused);
    }
}
