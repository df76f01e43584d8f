using Surveillance.Storage;
using static Surveillance.Tests.Storage.EncryptedSamples;

namespace Surveillance.Tests.Storage;

/// <summary>
/// Early writeback only asks the kernel to put a growing file on disk sooner: it must never change
/// what the file holds, nor fail a write that would otherwise succeed (the owner's fsync, not the
/// hint, reports disk errors).
/// </summary>
public sealed class FileWritebackTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), "writeback-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task GrowingFile_IsFlushedInTheBackgroundAsItGrows_AndKeepsEveryByte()
    {
        var chunk = RandomBytes(1024 * 1024, seed: 30);
        const int chunks = 72; // a little over two flush intervals
        var writeback = default(FileWriteback);
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true))
        {
            writeback = new FileWriteback(file.SafeFileHandle);
            for (var i = 1; i <= chunks; i++)
            {
                await file.WriteAsync(chunk);
                writeback.Written(file.Position);
                await writeback.DrainAsync(); // lets every interval start its own flush
            }

            file.Flush(flushToDisk: true);
        }

        if (OperatingSystem.IsLinux())
        {
            Assert.Equal((int)(chunks * chunk.LongLength / FileWriteback.SyncBytes), writeback.SyncsStarted);
        }

        var written = await File.ReadAllBytesAsync(path);
        Assert.Equal(chunks * chunk.Length, written.Length);
        for (var i = 0; i < chunks; i++)
        {
            Assert.True(chunk.AsSpan().SequenceEqual(written.AsSpan(i * chunk.Length, chunk.Length)), $"chunk {i} differs");
        }
    }

    [Fact]
    public async Task SmallFile_StartsNoFlush()
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
        var writeback = new FileWriteback(file.SafeFileHandle);

        await file.WriteAsync(new byte[4096]);
        writeback.Written(file.Position);

        Assert.Equal(0, writeback.SyncsStarted);
        Assert.True(writeback.DrainAsync().IsCompleted);
    }

    [Fact]
    public async Task ReadOnlyHandle_OrLengthsPastTheEnd_AreIgnored_NotThrown()
    {
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            var writeback = new FileWriteback(file.SafeFileHandle);
            writeback.Written(FileWriteback.SyncBytes * 2);
            await writeback.DrainAsync();
        }

        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(path));
    }

    public void Dispose() => File.Delete(path);
}
