using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Surveillance.Identity;

/// <summary>
/// The threads bcrypt runs on: dedicated (never the thread pool's, which serves every grain call),
/// and on Linux at a lower scheduling priority (<see cref="PasswordHashingOptions.HashingThreadNice"/>),
/// so that when the cores are contended hashing yields them to serving requests instead of taking
/// its share from every other request's rate; on an idle machine a hash runs at full speed. The
/// budget (<see cref="HashingBudget"/>) decides what may run; these threads only run it.
/// </summary>
public sealed class HashingThreads : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();

    public HashingThreads(int count, int nice)
    {
        for (var i = 0; i < count; i++)
        {
            var thread = new Thread(() => Serve(nice)) { IsBackground = true, Name = $"bcrypt-{i}" };
            thread.Start();
        }
    }

    public Task<T> RunAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }
        });
        return done.Task;
    }

    public void Dispose() => _work.CompleteAdding();

    private void Serve(int nice)
    {
        if (nice > 0 && OperatingSystem.IsLinux())
        {
            // Per thread on Linux (the nice value is a thread's attribute there); raising it needs no privilege.
            _ = SetPriority(0, GetThreadId(), nice);
        }

        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
