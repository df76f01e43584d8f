using System.Buffers;
using Surveillance.Api.Errors;
using Surveillance.Storage;
using Surveillance.Videos;

namespace Surveillance.Api.Videos;

/// <summary>
/// Writes one upload, encrypted, to a temporary file: the container signature is checked on the
/// first bytes, the size is counted as bytes arrive (413 the moment the limit is passed), and
/// only a complete, fsynced file is renamed into place.
/// </summary>
public sealed class EncryptedVideoStore(VideoFiles files, string projectId, string videoId, ContentKey key, long maxBytes)
{
    private const int BufferSize = 256 * 1024;
    private readonly string _temporaryPath = files.TemporaryPathFor(projectId, videoId);
    private bool _committed;

    public string ProjectId => projectId;
    public string VideoId => videoId;
    public long SizeBytes { get; private set; }
    public string Sha256 { get; private set; } = "";

    public async Task WriteAsync(Stream source, string extension, CancellationToken cancellationToken)
    {
        files.EnsureProjectDirectory(projectId);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var headerLength = await FillAsync(source, buffer.AsMemory(0, ContainerSignature.MaxHeaderBytes), cancellationToken);
            if (!ContainerSignature.Matches(extension, buffer.AsSpan(0, headerLength)))
            {
                throw HttpProblemException.Unsupported($"The content is not a {extension} video.");
            }

            await using var file = new FileStream(_temporaryPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
            });
            await using var writer = new EncryptedVideoWriter(file, key.DataKey, videoId, projectId, keyId: Convert.FromHexString(key.FileKeyId));
            await WriteCountedAsync(writer, buffer.AsMemory(0, headerLength), cancellationToken);
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                await WriteCountedAsync(writer, buffer.AsMemory(0, read), cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
            file.Flush(flushToDisk: true);
            SizeBytes = writer.PlaintextLength;
            Sha256 = Convert.ToHexStringLower(writer.PlaintextSha256!);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        File.Move(_temporaryPath, files.PathFor(projectId, videoId));
        _committed = true;
    }

    /// <summary>Removes what this upload wrote, whether or not it got as far as the final name.</summary>
    public void DeleteFile()
    {
        File.Delete(_temporaryPath);
        if (_committed)
        {
            files.Delete(projectId, videoId);
        }
    }

    private async Task WriteCountedAsync(EncryptedVideoWriter writer, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (writer.PlaintextLength + bytes.Length > maxBytes)
        {
            throw HttpProblemException.TooLarge(maxBytes);
        }

        await writer.WriteAsync(bytes, cancellationToken);
    }

    private static async Task<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await source.ReadAsync(buffer[total..], cancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }
}
