using Surveillance.Storage;
using static Surveillance.Tests.Storage.EncryptedSamples;

namespace Surveillance.Tests.Storage;

public sealed class EncryptedVideoWriterTests
{
    private readonly byte[] key = VideoCipher.NewDataKey();

    [Fact]
    public async Task MemoryBound_20MiBIn64KiBChunks_HoldsAFewSegments_AndStreamsEverySegmentOut()
    {
        const int segmentSize = VideoCipher.DefaultSegmentSize;
        var chunk = RandomBytes(64 * 1024, seed: 20);
        var sink = new SinkStream();
        await using var writer = new EncryptedVideoWriter(sink, key, VideoId, ProjectId, segmentSize);

        Assert.Equal(4 * (segmentSize + VideoCipher.TagLength), writer.MaxBufferCapacity);
        for (var i = 0; i < 20 * 16; i++)
        {
            await writer.WriteAsync(chunk);

            Assert.InRange(writer.BufferCapacity, 1, writer.MaxBufferCapacity);
            // Streaming, not accumulating: besides the segment being filled, at most
            // SegmentsInFlight segments are waiting to be written.
            var emitted = (long)Math.Max(0, sink.Writes - 1) * segmentSize;
            Assert.InRange(writer.PlaintextLength - emitted, 1, (EncryptedVideoWriter.SegmentsInFlight + 1) * segmentSize);
        }

        await writer.CompleteAsync();

        Assert.Equal(VideoCipher.CiphertextLength(20L * 1024 * 1024, segmentSize), sink.Length);
        Assert.Equal(VideoCipher.CiphertextLength(20L * 1024 * 1024, segmentSize), writer.CiphertextLength);
        Assert.Equal(1 + 20, sink.Writes);
        Assert.Equal(segmentSize + VideoCipher.TagLength, sink.LargestWrite);
    }

    [Fact]
    public async Task FullSegment_IsHeldUntilTheWriterKnowsWhetherItIsTheLast()
    {
        var sink = new SinkStream();
        await using var writer = new EncryptedVideoWriter(sink, key, VideoId, ProjectId, SegmentSize);

        await writer.WriteAsync(new byte[SegmentSize]);
        Assert.Equal(0, sink.Length);

        await writer.WriteAsync(new byte[1]);
        await writer.CompleteAsync();
        Assert.Equal(VideoCipher.CiphertextLength(SegmentSize + 1, SegmentSize), sink.Length);
    }

    [Fact]
    public async Task SlowDestination_SegmentsInFlightReachItInOrder_AndDecryptToThePlaintext()
    {
        var plaintext = RandomBytes((40 * SegmentSize) + 7, seed: 21);
        using var file = new MemoryStream();
        await using (var writer = new EncryptedVideoWriter(new SlowStream(file, seed: 22), key, VideoId, ProjectId, SegmentSize))
        {
            foreach (var chunk in plaintext.Chunk(SegmentSize / 3))
            {
                await writer.WriteAsync(chunk);
            }

            await writer.CompleteAsync();
        }

        Assert.Equal(plaintext, await DecryptAsync(file.ToArray(), key));
    }

    [Fact]
    public async Task AbortedUpload_WriterDisposedWithoutComplete_LeavesAFileNoReaderAccepts()
    {
        using var file = new MemoryStream();
        using (var writer = new EncryptedVideoWriter(new SlowStream(file, seed: 23), key, VideoId, ProjectId, SegmentSize))
        {
            await writer.WriteAsync(RandomBytes(3 * SegmentSize + 1, seed: 6));
            Assert.Null(writer.PlaintextSha256);
        }

        // Disposal waited for the three segments in flight (none marked final) before wiping the buffers.
        Assert.Equal(SegmentOffset(3), file.Length);
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
    public async Task FailedWrite_IsReportedByCompletion_AndPoisonsTheWriter_SoARetryCannotResealUnderAUsedNonce()
    {
        var sink = new SinkStream { FailOnWrite = 2 }; // the header passes, the first segment fails
        await using var writer = new EncryptedVideoWriter(sink, key, VideoId, ProjectId, SegmentSize);

        await writer.WriteAsync(new byte[SegmentSize + 1]); // hands the first segment over
        await Assert.ThrowsAsync<IOException>(() => writer.CompleteAsync().AsTask());

        sink.FailOnWrite = null;
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new byte[SegmentSize]).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync().AsTask());
        Assert.Equal(VideoCipher.HeaderLength, sink.Length); // nothing after the failed segment was written
    }

    [Fact]
    public async Task FailedWrite_IsReportedByALaterWrite_OnceTheSegmentsInFlightAreUsedUp()
    {
        var sink = new SinkStream { FailOnWrite = 2 };
        await using var writer = new EncryptedVideoWriter(sink, key, VideoId, ProjectId, SegmentSize);

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (var i = 0; i < EncryptedVideoWriter.SegmentsInFlight + 2; i++)
            {
                await writer.WriteAsync(new byte[SegmentSize]);
            }
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new byte[1]).AsTask());
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

    /// <summary>Passes writes on to <c>inner</c> after a random pause of up to 3 ms, as a busy disk might.</summary>
    private sealed class SlowStream(Stream inner, int seed) : Stream
    {
        private readonly Random random = new(seed);

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int pause;
            lock (random)
            {
                pause = random.Next(0, 4);
            }

            await Task.Delay(pause, cancellationToken);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
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
