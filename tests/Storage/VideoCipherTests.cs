using System.Security.Cryptography;
using System.Text;
using Surveillance.Storage;
using static Surveillance.Tests.Storage.EncryptedSamples;

namespace Surveillance.Tests.Storage;

public sealed class VideoCipherTests
{
    private readonly byte[] key = VideoCipher.NewDataKey();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SegmentSize - 1)]
    [InlineData(SegmentSize)]
    [InlineData(SegmentSize + 1)]
    [InlineData(3 * SegmentSize)]
    public async Task RoundTrip_RestoresTheExactBytes_AtSegmentEdges(int length)
    {
        var plaintext = RandomBytes(length, seed: length);
        using var file = new MemoryStream();
        using var writer = new EncryptedVideoWriter(file, key, VideoId, ProjectId, SegmentSize);
        await writer.WriteAsync(plaintext);
        await writer.CompleteAsync();

        Assert.Equal(VideoCipher.CiphertextLength(length, SegmentSize), file.Length);
        Assert.Equal(file.Length, writer.CiphertextLength);
        Assert.Equal(length, writer.PlaintextLength);
        Assert.Equal(SHA256.HashData(plaintext), writer.PlaintextSha256);
        Assert.Equal(plaintext, await DecryptAsync(file.ToArray(), key));
    }

    [Fact]
    public async Task RoundTrip_5MiB_WithDefaultSegments_WrittenInUnevenChunks()
    {
        var plaintext = RandomBytes(5 * 1024 * 1024 + 12_345, seed: 5);
        var chunks = new Random(7);
        using var file = new MemoryStream();
        using (var writer = new EncryptedVideoWriter(file, key, VideoId, ProjectId))
        {
            for (var at = 0; at < plaintext.Length;)
            {
                var take = Math.Min(chunks.Next(1, 300_000), plaintext.Length - at);
                await writer.WriteAsync(plaintext.AsMemory(at, take));
                at += take;
            }

            await writer.CompleteAsync();
            Assert.Equal(SHA256.HashData(plaintext), writer.PlaintextSha256);
        }

        Assert.Equal(VideoCipher.CiphertextLength(plaintext.Length), file.Length);
        Assert.Equal(plaintext, await DecryptAsync(file.ToArray(), key));
    }

    [Fact]
    public async Task EmptyVideo_IsAHeaderAndOneEmptyFinalSegment()
    {
        var file = await EncryptAsync([], key);

        Assert.Equal(VideoCipher.HeaderLength + VideoCipher.TagLength, file.Length);
        Assert.Empty(await DecryptAsync(file, key));
    }

    [Theory]
    [InlineData(0, 10)] // first bytes
    [InlineData(SegmentSize - 5, 10)] // across the first segment boundary
    [InlineData(SegmentSize + 3, 2 * SegmentSize)] // spans three segments
    [InlineData(3 * SegmentSize + 20 - 7, 7)] // last bytes
    [InlineData(0, 3 * SegmentSize + 20)] // whole video
    [InlineData(100, 0)] // zero-length
    [InlineData(3 * SegmentSize + 20, 0)] // zero-length at the end
    public async Task RangeRead_WritesExactlyTheRequestedPlaintext(long offset, long count)
    {
        var plaintext = RandomBytes(3 * SegmentSize + 20, seed: 11);
        var file = await EncryptAsync(plaintext, key);

        var range = await DecryptAsync(file, key, offset: offset, count: count);

        Assert.Equal(plaintext.AsSpan((int)offset, (int)count).ToArray(), range);
    }

    [Fact]
    public async Task RandomRanges_MatchThePlaintext()
    {
        var plaintext = RandomBytes(20 * SegmentSize + 33, seed: 3);
        var file = await EncryptAsync(plaintext, key);
        var random = new Random(99);
        for (var i = 0; i < 50; i++)
        {
            var offset = random.Next(plaintext.Length + 1);
            var count = random.Next(plaintext.Length - offset + 1);
            Assert.Equal(plaintext.AsSpan(offset, count).ToArray(), await DecryptAsync(file, key, offset: offset, count: count));
        }
    }

    [Fact]
    public async Task RangeRead_OfTheLastBytes_ReadsAndDecryptsOnlyTheSegmentsItNeeds()
    {
        var plaintext = RandomBytes(1000 * SegmentSize, seed: 1);
        using var source = new CountingStream(await EncryptAsync(plaintext, key));
        using var reader = await EncryptedVideoReader.OpenAsync(source, key, VideoId, ProjectId);
        Assert.Equal(1, reader.SegmentsDecrypted); // the final segment, verified at open

        using var destination = new MemoryStream();
        await reader.CopyRangeToAsync(destination, plaintext.Length - 10, 10);
        Assert.Equal(plaintext[^10..], destination.ToArray());
        Assert.Equal(2, reader.SegmentsDecrypted);

        await reader.CopyRangeToAsync(destination, SegmentSize - 1, 2); // straddles segments 0 and 1
        Assert.Equal(4, reader.SegmentsDecrypted);
        Assert.True(source.BytesRead <= VideoCipher.HeaderLength + (4 * (SegmentSize + VideoCipher.TagLength)));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    [InlineData(0, 101)]
    [InlineData(101, 0)]
    [InlineData(90, 11)]
    public async Task RangeRead_OutsideTheVideo_IsRejected(long offset, long count)
    {
        using var source = new MemoryStream(await EncryptAsync(RandomBytes(100, seed: 2), key));
        using var reader = await EncryptedVideoReader.OpenAsync(source, key, VideoId, ProjectId);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.CopyRangeToAsync(Stream.Null, offset, count));
    }

    [Fact]
    public async Task Confidentiality_NoPlaintextMarker_IsVisibleInTheCiphertext()
    {
        var marker = Encoding.ASCII.GetBytes("CCTV-PLAINTEXT-MARKER;");
        var plaintext = Enumerable.Repeat(marker, 10_000).SelectMany(m => m).ToArray();

        var file = await EncryptAsync(plaintext, key, segmentSize: VideoCipher.DefaultSegmentSize);

        Assert.Equal(-1, file.AsSpan().IndexOf(marker.AsSpan(0, 8)));
        Assert.Equal(plaintext, await DecryptAsync(file, key));
    }

    [Fact]
    public async Task Confidentiality_TheSameVideoEncryptedTwice_SharesNoCiphertext()
    {
        var plaintext = RandomBytes(4 * SegmentSize, seed: 4);

        var first = await EncryptAsync(plaintext, key);
        var second = await EncryptAsync(plaintext, key);

        // A fresh salt and nonce prefix per file: no keystream is ever reused across files.
        Assert.NotEqual(first.AsSpan(0, VideoCipher.HeaderLength).ToArray(), second.AsSpan(0, VideoCipher.HeaderLength).ToArray());
        Assert.NotEqual(first[SegmentOffset(0)..SegmentOffset(1)], second[SegmentOffset(0)..SegmentOffset(1)]);
    }

    [Fact]
    public void Lengths_EveryPlaintextLength_MapsBackFromItsCiphertextLength_AndOthersAreImpossible()
    {
        var possible = new HashSet<long>();
        for (long plaintext = 0; plaintext <= 5 * SegmentSize; plaintext++)
        {
            var ciphertext = VideoCipher.CiphertextLength(plaintext, SegmentSize);
            possible.Add(ciphertext);
            Assert.True(VideoCipher.TryGetPlaintextLength(ciphertext, SegmentSize, out var back));
            Assert.Equal(plaintext, back);
        }

        for (long ciphertext = 0; ciphertext <= VideoCipher.CiphertextLength(5 * SegmentSize, SegmentSize); ciphertext++)
        {
            Assert.Equal(possible.Contains(ciphertext), VideoCipher.TryGetPlaintextLength(ciphertext, SegmentSize, out _));
        }
    }

    [Fact]
    public void NewDataKey_IsFresh256BitRandomness()
    {
        var a = VideoCipher.NewDataKey();
        var b = VideoCipher.NewDataKey();

        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
    }

    /// <summary>A read-only seekable stream that counts the bytes it hands out.</summary>
    private sealed class CountingStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream inner = new(bytes, writable: false);

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
