using Microsoft.Extensions.Logging;

namespace Surveillance.Identity;

/// <summary>
/// Serializes a grain's state writes, and lets a failed login's count be written after the grain
/// has answered. A wrong password must not wait for a database write that an unknown or locked
/// account does not make: with a slow store that difference tells an attacker which accounts
/// exist (issue 13, "Timing"). The count is already in memory, so the next attempt sees it at once;
/// only a silo crash within the write's few milliseconds could forget one failure.
/// </summary>
public sealed class StateWrites(Func<Task> write, ILogger logger)
{
    private Task _tail = Task.CompletedTask;
    private bool _queued;

    /// <summary>Writes now, after any write already under way; the caller sees its failure (503).</summary>
    public Task WriteAsync()
    {
        _tail = AfterAsync(_tail);
        return _tail;
    }

    /// <summary>Writes soon, without the caller waiting; a write already queued covers this change too.</summary>
    public void WriteLater()
    {
        if (_queued)
        {
            return;
        }

        _queued = true;
        _tail = LaterAsync(_tail);
    }

    /// <summary>Waits for every write under way (before a delete or a deactivation).</summary>
    public async Task DrainAsync() => await SettleAsync(_tail);

    private async Task AfterAsync(Task previous)
    {
        await SettleAsync(previous);
        await write();
    }

    private async Task LaterAsync(Task previous)
    {
        await SettleAsync(previous);
        _queued = false;
        try
        {
            await write();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The state stays in memory and the next write carries it.
            logger.LogWarning(exception, "A deferred write of failed-login state did not succeed.");
        }
    }

    private static async Task SettleAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Its caller saw this failure already.
        }
    }
}
