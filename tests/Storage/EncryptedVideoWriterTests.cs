using Surveillance.Storage;
using static Surveillance.Tests.Storage.EncryptedSamples;

namespace Surveillance.Tests.Storage;

public sealed class EncryptedVideoWriterTests
{
    private readonly byte[] key = VideoCipher.NewDataKey();

    [Fact]
    public async Task MemoryBound_20MiBIn64KiBChunks_HoldsOneSegment_AndStreamsEverySegmentOut()
    {
        const int segmentSize = VideoCipher.DefaultSegmentSize;
        var chunk = RandomBytes(64 * 1024, seed: 20);
        var sink = new SinkStream();
        using var writer = new EncryptedVideoWriter(sink, key, VideoId, ProjectId, segmentSize);

        for (var i = 0; i < 20 * 16; i++)
        {
            await writer.WriteAsync(chunk);

            Assert.True(writer.BufferCapacity <= 2 * segmentSize);
            // Streaming, not accumulating: after the header, every write is one full segment out,
            // so at most one segment of plaintext is ever held back.
            var emitted = (long)Math.Max(0, sink.Writes - 1) * segmentSize;
            Assert.InRange(writer.PlaintextLength - emitted, 1, segmentSize);
        }

        await writer.CompleteAsync();

        Assert.Equal(VideoCipher.CiphertextLength(20L * 1024 * 1024, segmentSize), sink.Length);
        Assert.Equal(1 + 20, sink.Writes);
        Assert.Equal(segmentSize + VideoCipher.TagLength, sink.LargestWrite);
    }

    [Fact]
    public async Task FullSegment_IsHeldUntilTheWriterKnowsWhetherItIsTheLast()
    {
        var sink = new SinkStream();
        using var writer = new EncryptedVideoWriter(sink, key, VideoId, ProjectId, SegmentSize);

        await writer.WriteAsync(new byte[SegmentSize]);
        Assert.Equal(0, sink.Length);

        await writer.WriteAsync(new byte[1]);
        Assert.Equal(SegmentOffset(1), sink.Length);

        await writer.CompleteAsync();
        Assert.Equal(VideoCipher.CiphertextLength(SegmentSize + 1, SegmentSize), sink.Length);
    }

    [Fact]
    public async Task AbortedUpload_WriterDisposedWithoutComplete_LeavesAFileNoReaderAccepts()
    {
        using var file = new MemoryStream();
        using (var writer = new EncryptedVideoWriter(file, key, VideoId, ProjectId, SegmentSize))
        {
            await writer.WriteAsync(RandomBytes(3 * SegmentSize + 1, seed: 6));
            Assert.Null(writer.PlaintextSha256);
        }

        Assert.Equal(SegmentOffset(3), file.Length); // three segments were streamed out, none marked final
        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(file.ToArray(), key));
    }

    [Fact]
    public async Task CompletedWriter_RefusesMoreData()
    {
        using var writer = new EncryptedVideoWriter(new SinkStream(), key, VideoId, ProjectId, SegmentSize);
        await writer.WriteAsync(new byte[10]);
        await writer.CompleteAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new byte[1]).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync().AsTask());
    }

    [Fact]
    public async Task FailedWrite_PoisonsTheWriter_SoARetryCannotResealUnderAUsedNonce()
    {
        var sink = new SinkStream { FailOnWrite = 2 }; // the header passes, the first segment fails
        using var writer = new EncryptedVideoWriter(sink, key, VideoId, ProjectId, SegmentSize);

        await Assert.ThrowsAsync<IOException>(() => writer.WriteAsync(new byte[SegmentSize + 1]).AsTask());

        sink.FailOnWrite = null;
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new byte[SegmentSize]).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync().AsTask());
        Assert.Equal(VideoCipher.HeaderLength, sink.Length);
    }

    [Fact]
    public async Task CancelledUpload_StopsWriting_AndTheWriterCannotBeCompleted()
    {
        using var writer = new EncryptedVideoWriter(new MemoryStream(), key, VideoId, ProjectId, SegmentSize);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => writer.WriteAsync(new byte[2 * SegmentSize], new CancellationToken(canceled: true)).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync().AsTask());
    }

    [Theory]
    [InlineData(16, SegmentSize)] // AES-128-sized key: the format promises 256-bit keys
    [InlineData(33, SegmentSize)]
    [InlineData(32, VideoCipher.MinSegmentSize - 1)]
    [InlineData(32, VideoCipher.MaxSegmentSize + 1)]
    public void Writer_RejectsKeysThatAreNot256Bit_AndSegmentSizesOutOfBounds(int keyLength, int segmentSize)
    {
        Assert.ThrowsAny<ArgumentException>(
            () => new EncryptedVideoWriter(new MemoryStream(), new byte[keyLength], VideoId, ProjectId, segmentSize));
    }

    [Theory]
    [InlineData("", ProjectId)]
    [InlineData(VideoId, "")]
    public void Writer_RejectsEmptyIds_SoEveryFileIsBoundToAVideoAndAProject(string videoId, string projectId)
    {
        Assert.ThrowsAny<ArgumentException>(() => new EncryptedVideoWriter(new MemoryStream(), key, videoId, projectId));
    }

    /// <summary>A forward-only destination that keeps no bytes, only counts them.</summary>
    private sealed class SinkStream : Stream
    {
        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public int? FailOnWrite { get; set; }

        public override long Length => Position;

        public override long Position { get; set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Writes + 1 == FailOnWrite)
            {
                throw new IOException("disk full");
            }

            Writes++;
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            Position += buffer.Length;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
