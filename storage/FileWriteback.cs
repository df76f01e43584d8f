using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Surveillance.Storage;

/// <summary>
/// Puts a file that is being written sequentially on disk while it grows, so that the fsync at
/// the end waits only for the tail. Without it a large write sits in the page cache (the kernel's
/// own writeback starts at gigabytes of dirty memory or after 30 s), and that fsync then waits for
/// the whole file, and for the disk's (or the hypervisor's) cache to be flushed. Two steps, on
/// Linux, as PostgreSQL's <c>*_flush_after</c> settings and RocksDB's <c>bytes_per_sync</c> do:
/// every <see cref="StartBytes"/> the kernel is asked to start writing the new range
/// (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>, which does not wait for it), and every
/// <see cref="SyncBytes"/> an <c>fdatasync</c> runs in the background, at most one at a time.
/// A hint, not a durability guarantee: the owner must still fsync at the end, and call
/// <see cref="DrainAsync"/> before the handle is closed. Errors are ignored here (the owner's fsync
/// reports them). A no-op off Linux. Not thread-safe: one writer reports its progress.
/// </summary>
public sealed class FileWriteback(SafeFileHandle file)
{
    public const long StartBytes = 8 * 1024 * 1024;
    public const long SyncBytes = 32 * 1024 * 1024;

    private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE in <fcntl.h>

    private long _started;
    private long _synced;
    private Task _sync = Task.CompletedTask;

    /// <summary>Background flushes started so far (for tests).</summary>
    internal int SyncsStarted { get; private set; }

    /// <summary>Reports that the file now has <paramref name="length"/> bytes written.</summary>
    public void Written(long length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        if (length - _started >= StartBytes)
        {
            _ = SyncFileRange(file, _started, length - _started, SyncFileRangeWrite);
            _started = length;
        }

        if (length - _synced >= SyncBytes && _sync.IsCompleted)
        {
            _synced = length;
            SyncsStarted++;
            _sync = Task.Run(() => FileDataSync(file));
        }
    }

    /// <summary>Waits for the background flush still running, if any.</summary>
    public Task DrainAsync() => _sync;

    [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FileDataSync(SafeFileHandle fd);
}
