using Surveillance.Storage;
using static Surveillance.Tests.Storage.EncryptedSamples;

namespace Surveillance.Tests.Storage;

/// <summary>Every change to stored bytes, and every mix-up of key or ids, is a <see cref="VideoIntegrityException"/>.</summary>
public sealed class VideoTamperingTests
{
    private const int Length = 3 * SegmentSize + 20; // three full segments and a short final one

    private readonly byte[] key = VideoCipher.NewDataKey();
    private readonly byte[] plaintext = RandomBytes(Length, seed: 42);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 17)]
    [InlineData(3, 19)] // the final (short) segment
    public async Task FlippedByte_InASegmentsCiphertext_IsDetected(int segment, int at)
    {
        var file = Flip(await EncryptAsync(plaintext, key), SegmentOffset(segment) + at);

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(file, key));
    }

    [Fact]
    public async Task FlippedByte_AnywhereInTheHeader_IsDetected()
    {
        var file = await EncryptAsync(plaintext, key);

        for (var at = 0; at < VideoCipher.HeaderLength; at++)
        {
            await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(Flip(file, at), key));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task FlippedByte_InATag_IsDetected(int segment)
    {
        var file = await EncryptAsync(plaintext, key);
        var tagEnd = segment == 3 ? file.Length : SegmentOffset(segment + 1);

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(Flip(file, tagEnd - 1), key));
    }

    [Theory]
    [InlineData(1)] // inside the final tag
    [InlineData(20)] // inside the final segment
    [InlineData(SegmentSize + 30)] // into the previous segment
    [InlineData(Length + 70)] // into the header
    public async Task Truncation_MidSegment_IsDetected(int cut)
    {
        var file = await EncryptAsync(plaintext, key);

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(file[..^cut], key));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Truncation_AtASegmentBoundary_IsDetected_ByTheMissingFinalFlag(int segmentsKept)
    {
        var file = await EncryptAsync(plaintext, key);

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(file[..SegmentOffset(segmentsKept)], key));
    }

    [Fact]
    public async Task MisplacedFinalFlag_ExtraSegmentAfterTheEnd_IsDetected()
    {
        // Four full segments: the final flag sits on segment 3; appending makes it a middle one.
        var file = await EncryptAsync(RandomBytes(4 * SegmentSize, seed: 8), key);
        var extended = file.Concat(file[SegmentOffset(2)..SegmentOffset(3)]).ToArray();

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(extended, key));
        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(file.Concat(new byte[1]).ToArray(), key));
    }

    [Fact]
    public async Task SwappedSegments_AreDetected()
    {
        var file = await EncryptAsync(plaintext, key);
        var swapped = (byte[])file.Clone();
        file.AsSpan(SegmentOffset(0), SegmentOffset(1) - SegmentOffset(0)).CopyTo(swapped.AsSpan(SegmentOffset(1)));
        file.AsSpan(SegmentOffset(1), SegmentOffset(1) - SegmentOffset(0)).CopyTo(swapped.AsSpan(SegmentOffset(0)));

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(swapped, key, count: 10));
    }

    [Theory]
    [InlineData("video-0002")] // another video under the same data key
    [InlineData(VideoId)] // the same video, encrypted again (another salt)
    public async Task SegmentCopiedFromAnotherFile_IsDetected(string otherVideoId)
    {
        var file = await EncryptAsync(plaintext, key);
        var other = await EncryptAsync(plaintext, key, videoId: otherVideoId);
        var spliced = (byte[])file.Clone();
        other.AsSpan(SegmentOffset(1), SegmentOffset(2) - SegmentOffset(1)).CopyTo(spliced.AsSpan(SegmentOffset(1)));

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(spliced, key, offset: SegmentSize, count: 1));
    }

    [Fact]
    public async Task WrongDataKey_IsDetected()
    {
        var file = await EncryptAsync(plaintext, key);

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(file, VideoCipher.NewDataKey()));
    }

    [Theory]
    [InlineData("video-0002", ProjectId)] // the file served as another video
    [InlineData(VideoId, "project-b")] // the file moved into another project
    [InlineData("video-000", "1project-a")] // the same bytes with the id boundary shifted
    public async Task WrongVideoOrProjectId_IsDetected(string videoId, string projectId)
    {
        var file = await EncryptAsync(plaintext, key);

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(file, key, videoId, projectId));
    }

    [Fact]
    public async Task KeyIdMismatch_IsDetected_WhenTheCallerNamesTheExpectedKey()
    {
        var keyId = VideoCipher.NewKeyId();
        using var file = new MemoryStream();
        using (var writer = new EncryptedVideoWriter(file, key, VideoId, ProjectId, SegmentSize, keyId))
        {
            await writer.WriteAsync(plaintext);
            await writer.CompleteAsync();
        }

        using var matching = await EncryptedVideoReader.OpenAsync(file, key, VideoId, ProjectId, keyId);
        Assert.Equal(keyId, matching.KeyId.ToArray());
        await Assert.ThrowsAsync<VideoIntegrityException>(
            () => EncryptedVideoReader.OpenAsync(file, key, VideoId, ProjectId, VideoCipher.NewKeyId()));
    }

    [Fact]
    public async Task TamperedSegment_ReleasesNoneOfItsBytes()
    {
        var file = Flip(await EncryptAsync(plaintext, key), SegmentOffset(1) + 5);
        using var source = new MemoryStream(file);
        using var reader = await EncryptedVideoReader.OpenAsync(source, key, VideoId, ProjectId);
        using var destination = new MemoryStream();

        await Assert.ThrowsAsync<VideoIntegrityException>(() => reader.CopyRangeToAsync(destination, SegmentSize + 4, 3));
        Assert.Equal(0, destination.Length);

        // A read that starts in an authentic segment releases exactly that segment and stops.
        await Assert.ThrowsAsync<VideoIntegrityException>(() => reader.CopyToAsync(destination));
        Assert.Equal(plaintext[..SegmentSize], destination.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(200)]
    public async Task NotAnEncryptedVideo_IsRejected(int length)
    {
        var raw = RandomBytes(length, seed: length);
        if (length >= 8)
        {
            "\0\0\0\u0018ftyp"u8.CopyTo(raw); // a plaintext MP4 dropped into the store
        }

        await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(raw, key));
    }

    [Fact]
    public async Task ForgedHeader_AskingForAHugeSegment_IsRejectedBeforeAllocating()
    {
        var file = await EncryptAsync(plaintext, key);
        file.AsSpan(5, 4).Fill(0x7F); // segment size field ≈ 2 GiB

        var error = await Assert.ThrowsAsync<VideoIntegrityException>(() => DecryptAsync(file, key));
        Assert.Contains("segment size", error.Message);
    }
}
