using Surveillance.Identity;

namespace Surveillance.Tests.Edge;

/// <summary>
/// Issue 10: a login storm must not take the cores that serve reads. bcrypt runs on threads of its
/// own at a lower priority, so under contention the scheduler gives the cores to serving first.
/// </summary>
public sealed class HashingThreadsTests
{
    [Fact]
    public async Task LoginStormStarvingReads_HashingRunsAtTheConfiguredLowerPriority_OffTheThreadPool()
    {
        using var threads = new HashingThreads(1, nice: 7);

        var (nice, onPool) = await threads.RunAsync(() => (OwnNice(), Thread.CurrentThread.IsThreadPoolThread));

        Assert.False(onPool);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(7, nice);
        }
    }

    [Fact]
    public async Task AHashThatThrows_FailsItsOwnCall_AndTheThreadServesTheNext()
    {
        using var threads = new HashingThreads(1, nice: 0);

        await Assert.ThrowsAsync<FormatException>(() => threads.RunAsync<int>(() => throw new FormatException("bad hash")));

        Assert.Equal(42, await threads.RunAsync(() => 42));
    }

    // /proc/thread-self/stat: the nice value is the 19th field, the 17th after the parenthesised name.
    private static int OwnNice() => OperatingSystem.IsLinux()
        ? int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[16],
            System.Globalization.CultureInfo.InvariantCulture)
        : 0;
}
