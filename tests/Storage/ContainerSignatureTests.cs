using System.Diagnostics;
using System.Text;
using Surveillance.Storage;

namespace Surveillance.Tests.Storage;

public sealed class ContainerSignatureTests(SampleVideos videos) : IClassFixture<SampleVideos>
{
    private static readonly string[] AllowedExtensions = [".mp4", ".avi", ".mov", ".mkv", ".webm"];

    public static TheoryData<string> Samples() => [.. SampleVideos.Containers.Keys];

    public static TheoryData<string, string> SamplesUnderForeignExtensions()
    {
        var data = new TheoryData<string, string>();
        foreach (var (sample, family) in SampleVideos.Containers)
        {
            foreach (var extension in AllowedExtensions.Where(e => !SameFamily(e, family)))
            {
                data.Add(sample, extension);
            }
        }

        return data;
    }

    public static TheoryData<string> Extensions() => [.. AllowedExtensions];

    [Theory]
    [MemberData(nameof(Samples))]
    public void RealVideo_MatchesItsOwnExtension_FromTheHeaderAndFromTheWholeFile(string sample)
    {
        var extension = SampleVideos.Containers[sample];

        Assert.True(ContainerSignature.Matches(extension, videos.Header(sample)));
        Assert.True(ContainerSignature.Matches(extension, videos.Bytes(sample)));
    }

    [Theory]
    [MemberData(nameof(SamplesUnderForeignExtensions))]
    public void RealVideo_NamedAsAnotherContainer_IsRejected(string sample, string extension) =>
        Assert.False(ContainerSignature.Matches(extension, videos.Header(sample)));

    [Theory]
    [InlineData("h264.mov")]
    [InlineData("h264.mp4")]
    [InlineData("fragmented.mp4")]
    public void IsoBmff_AnyFtypBrand_IsAcceptedAsMp4AndAsMov(string sample)
    {
        Assert.True(ContainerSignature.Matches(".mp4", videos.Header(sample)));
        Assert.True(ContainerSignature.Matches(".mov", videos.Header(sample)));
    }

    [Fact]
    public void QuickTimeBrand_NamedMp4_IsAccepted()
    {
        var header = videos.Header("h264.mov");

        Assert.Equal("ftypqt  ", Encoding.ASCII.GetString(header, 4, 8));
        Assert.True(ContainerSignature.Matches(".mp4", header));
    }

    [Fact]
    public void EbmlDocType_NotTheCodec_DecidesBetweenMkvAndWebm()
    {
        // The same VP8 stream: in a matroska file it is an .mkv, in a webm file a .webm, never the other way.
        Assert.True(ContainerSignature.Matches(".mkv", videos.Header("vp8.mkv")));
        Assert.False(ContainerSignature.Matches(".webm", videos.Header("vp8.mkv")));
        Assert.True(ContainerSignature.Matches(".webm", videos.Header("vp8.webm")));
        Assert.False(ContainerSignature.Matches(".mkv", videos.Header("vp8.webm")));
    }

    [Fact]
    public void ExtensionCase_DoesNotMatter_ForMatches()
    {
        Assert.True(ContainerSignature.Matches(".MP4", videos.Header("h264.mp4")));
        Assert.True(ContainerSignature.Matches(".WebM", videos.Header("vp8.webm")));
    }

    [Theory]
    [MemberData(nameof(Extensions))]
    public void WindowsExecutable_UnderAVideoExtension_IsRejected(string extension)
    {
        var executable = new byte[512];
        "MZ"u8.CopyTo(executable);
        "This program cannot be run in DOS mode."u8.CopyTo(executable.AsSpan(0x4E));

        Assert.False(ContainerSignature.Matches(extension, executable));
    }

    [Theory]
    [MemberData(nameof(Extensions))]
    public void TextAndHtml_UnderAVideoExtension_AreRejected(string extension)
    {
        Assert.False(ContainerSignature.Matches(extension, "just some notes about camera 3\n"u8));
        Assert.False(ContainerSignature.Matches(extension, "<!DOCTYPE html><html><script>alert(1)</script></html>"u8));
        Assert.False(ContainerSignature.Matches(extension, "%PDF-1.7\n"u8));
    }

    [Theory]
    [MemberData(nameof(Extensions))]
    public void EmptyOrThreeByteInput_IsRejected(string extension)
    {
        Assert.False(ContainerSignature.Matches(extension, []));
        Assert.False(ContainerSignature.Matches(extension, "RIF"u8));
        Assert.False(ContainerSignature.Matches(extension, [0x1A, 0x45, 0xDF]));
        Assert.False(ContainerSignature.Matches(extension, [0x00, 0x00, 0x00]));
    }

    [Theory]
    [InlineData("h264.mp4")]
    [InlineData("h264.mov")]
    [InlineData("mpeg4.avi")]
    [InlineData("h264.mkv")]
    [InlineData("vp8.webm")]
    public void TruncatedHeader_IsRejected_AtEveryLength(string sample)
    {
        var header = videos.Header(sample);
        var extension = SampleVideos.Containers[sample];
        var complete = sample.EndsWith(".mp4", StringComparison.Ordinal) || sample.EndsWith(".mov", StringComparison.Ordinal)
            ? header[3] // ftyp box size
            : sample.EndsWith(".avi", StringComparison.Ordinal) ? 12 : 5 + (header[4] & 0x7F); // EBML header with a 1-byte size
        Assert.InRange(complete, 12, ContainerSignature.MaxHeaderBytes);

        for (var length = 0; length < complete; length++)
        {
            Assert.False(ContainerSignature.Matches(extension, header.AsSpan(0, length)), $"{sample} cut to {length} bytes");
        }

        Assert.True(ContainerSignature.Matches(extension, header.AsSpan(0, complete)));
    }

    [Fact]
    public void HandMadeEbmlHeader_IsAccepted_IncludingNulPaddedDocType()
    {
        Assert.True(ContainerSignature.Matches(".webm", Ebml(Element(0x4286, 1), DocType("webm"))));
        Assert.True(ContainerSignature.Matches(".mkv", Ebml(DocType("matroska"))));
        Assert.True(ContainerSignature.Matches(".webm", Ebml(Element(0xEC, 0, 0, 0), DocType("webm\0\0"))));
    }

    [Theory]
    [InlineData("matroskaX")]
    [InlineData("Matroska")]
    [InlineData("WEBM")]
    [InlineData("webm ")]
    [InlineData("")]
    [InlineData("web\u0001")]
    public void EbmlDocType_MustBeExactlyMatroskaOrWebm(string docType)
    {
        Assert.False(ContainerSignature.Matches(".mkv", Ebml(DocType(docType))));
        Assert.False(ContainerSignature.Matches(".webm", Ebml(DocType(docType))));
    }

    [Fact]
    public void EbmlHeader_WithoutDocType_OrWithTwo_IsRejected()
    {
        Assert.False(ContainerSignature.Matches(".mkv", Ebml(Element(0x4286, 1))));
        Assert.False(ContainerSignature.Matches(".mkv", Ebml(DocType("matroska"), DocType("webm"))));
        Assert.False(ContainerSignature.Matches(".webm", Ebml(DocType("matroska"), DocType("webm"))));
    }

    [Fact]
    public void EbmlHeader_WithAbsurdOrMalformedLengths_IsRejected()
    {
        byte[] docType = [0x42, 0x82, 0x84, .. "webm"u8];

        // Header size: unknown (all ones), 2^48 in 8 bytes, and larger than the bytes given.
        Assert.False(ContainerSignature.Matches(".webm", [0x1A, 0x45, 0xDF, 0xA3, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, .. docType]));
        Assert.False(ContainerSignature.Matches(".webm", [0x1A, 0x45, 0xDF, 0xA3, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, .. docType]));
        Assert.False(ContainerSignature.Matches(".webm", [0x1A, 0x45, 0xDF, 0xA3, 0x88, .. docType]));
        // Header size as a VINT wider than 8 bytes (first byte 0).
        Assert.False(ContainerSignature.Matches(".webm", [0x1A, 0x45, 0xDF, 0xA3, 0x00, 0x87, .. docType]));
        // DocType size past the end of the header, unknown, or huge.
        Assert.False(ContainerSignature.Matches(".webm", [0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0x85, .. "webm"u8]));
        Assert.False(ContainerSignature.Matches(".webm", [0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0xFF, .. "webm"u8]));
        Assert.False(ContainerSignature.Matches(".webm", [0x1A, 0x45, 0xDF, 0xA3, 0x8E, 0x42, 0x82, 0x01, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, .. "webm"u8]));
        // A child ID wider than 4 bytes, and the header ID itself mangled.
        Assert.False(ContainerSignature.Matches(".webm", Ebml([0x08, 0x00, 0x00, 0x00, 0x01, 0x80], docType)));
        Assert.False(ContainerSignature.Matches(".webm", [0x1A, 0x45, 0xDF, 0xA2, 0x87, .. docType]));
    }

    [Fact]
    public void MutatedAndRandomHeaders_NeverThrow()
    {
        var random = new Random(20240607);
        foreach (var sample in SampleVideos.Containers.Keys)
        {
            var header = videos.Header(sample);
            foreach (var position in Enumerable.Range(0, Math.Min(header.Length, 48)))
            {
                foreach (var value in new byte[] { 0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)random.Next(256) })
                {
                    var mutated = (byte[])header.Clone();
                    mutated[position] = value;
                    foreach (var extension in AllowedExtensions)
                    {
                        // One changed byte can break a header, never turn it into another container.
                        var matches = ContainerSignature.Matches(extension, mutated);
                        Assert.False(matches && !SameFamily(extension, SampleVideos.Containers[sample]), $"{sample}[{position}]={value} as {extension}");
                    }
                }
            }
        }

        for (var i = 0; i < 2000; i++)
        {
            var noise = new byte[random.Next(0, 64)];
            random.NextBytes(noise);
            byte[] ebml = [0x1A, 0x45, 0xDF, 0xA3, .. noise];
            byte[] ftyp = [0x00, 0x00, 0x00, (byte)random.Next(256), .. "ftyp"u8, .. noise];
            Assert.False(ContainerSignature.Matches(".mkv", ebml) && ContainerSignature.Matches(".webm", ebml));
            _ = ContainerSignature.Matches(".mp4", ftyp);
        }
    }

    [Fact]
    public void IsoBmff_WithoutASaneFtypBoxFirst_IsRejected()
    {
        byte[] Ftyp(uint size, string brand = "isom") =>
            [(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size, .. "ftyp"u8, .. Encoding.Latin1.GetBytes(brand), 0, 0, 2, 0, .. "isomiso2"u8, .. new byte[64]];

        Assert.True(ContainerSignature.Matches(".mp4", Ftyp(24)));
        Assert.False(ContainerSignature.Matches(".mp4", Ftyp(0)));   // "to end of file"
        Assert.False(ContainerSignature.Matches(".mp4", Ftyp(1)));   // 64-bit size: never for ftyp
        Assert.False(ContainerSignature.Matches(".mp4", Ftyp(8)));   // no room for the major brand
        Assert.False(ContainerSignature.Matches(".mp4", Ftyp(22)));  // brands come in 4 bytes
        Assert.False(ContainerSignature.Matches(".mov", Ftyp(0x7FFF_FFF0)));
        Assert.False(ContainerSignature.Matches(".mp4", Ftyp(24, "\0\u0001\u00FF\u0002")));
        // Headerless QuickTime ("moov" or "mdat" first) and ftyp not at offset 4.
        Assert.False(ContainerSignature.Matches(".mov", [0, 0, 0, 0x6C, .. "moov"u8, .. new byte[100]]));
        Assert.False(ContainerSignature.Matches(".mp4", [0, 0, 0, 0, 0, 0x18, .. "ftypisom"u8, .. new byte[100]]));
    }

    [Fact]
    public void RiffThatIsNotAvi_IsRejected()
    {
        Assert.True(ContainerSignature.Matches(".avi", [.. "RIFF"u8, 0x24, 0, 0, 0, .. "AVI LIST"u8]));
        Assert.False(ContainerSignature.Matches(".avi", [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WAVEfmt "u8]));
        Assert.False(ContainerSignature.Matches(".avi", [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WEBPVP8 "u8]));
        Assert.False(ContainerSignature.Matches(".avi", [.. "RIFX"u8, 0, 0, 0, 0x24, .. "AVI LIST"u8]));
        Assert.False(ContainerSignature.Matches(".avi", [.. "RIFF"u8, 0x24, 0, 0, 0, .. "AVIX"u8]));
    }

    [Fact]
    public void UnknownExtension_NeverMatches()
    {
        Assert.False(ContainerSignature.Matches(".exe", videos.Header("h264.mp4")));
        Assert.False(ContainerSignature.Matches("mp4", videos.Header("h264.mp4")));
        Assert.False(ContainerSignature.Matches("", videos.Header("h264.mp4")));
    }

    [Fact]
    public void EbmlHeader_EndingBeyondMaxHeaderBytes_IsRejected_EvenWhenMoreBytesArePassed()
    {
        // The upload reads only MaxHeaderBytes before deciding, so the answer may not depend on more.
        byte[] Header(int voidLength) =>
            [0x1A, 0x45, 0xDF, 0xA3, (byte)(0x40 | ((voidLength + 10) >> 8)), (byte)(voidLength + 10),
             0xEC, (byte)(0x40 | (voidLength >> 8)), (byte)voidLength, .. new byte[voidLength], 0x42, 0x82, 0x84, .. "webm"u8,
             .. new byte[ContainerSignature.MaxHeaderBytes]];

        Assert.True(ContainerSignature.Matches(".webm", Header(1000)));
        Assert.False(ContainerSignature.Matches(".webm", Header(ContainerSignature.MaxHeaderBytes)));
    }

    [Theory]
    [InlineData("cam1.MP4", ".mp4")]
    [InlineData("a.Mov", ".mov")]
    [InlineData("x.avi", ".avi")]
    [InlineData("x.mkv", ".mkv")]
    [InlineData("x.WEBM", ".webm")]
    [InlineData("archive.tar.mp4", ".mp4")]
    [InlineData("C:\\videos\\cam1.mp4", ".mp4")]
    [InlineData("../../etc/passwd.mkv", ".mkv")]
    [InlineData(".mp4", ".mp4")] // no stem: still an mp4; the stored name becomes video.mp4
    public void AllowedExtension_IsRecognised_CaseInsensitively_AndNormalised(string fileName, string expected)
    {
        Assert.True(ContainerSignature.TryGetExtension(fileName, out var extension));
        Assert.Equal(expected, extension);
    }

    [Theory]
    [InlineData("x.mp4.exe")]
    [InlineData("noext")]
    [InlineData("")]
    [InlineData("x.mp4 ")]
    [InlineData("x.mp4.")]
    [InlineData("x.mp4\0")]
    [InlineData("clip.mp4/noext")]
    [InlineData("clip.mp4\\noext")]
    [InlineData("x.mpeg")]
    [InlineData("x.m4v")]
    [InlineData("x.wmv")]
    [InlineData("x.AVİ")] // U+0130 lower-cases to "i" in invariant casing; it is not ".avi"
    [InlineData("x.ｍｐ４")]
    public void OtherExtensions_AreNotAllowed(string fileName)
    {
        Assert.False(ContainerSignature.TryGetExtension(fileName, out var extension));
        Assert.Equal("", extension);
    }

    [Theory]
    [InlineData(".mp4", "video/mp4")]
    [InlineData(".avi", "video/x-msvideo")]
    [InlineData(".mov", "video/quicktime")]
    [InlineData(".mkv", "video/x-matroska")]
    [InlineData(".webm", "video/webm")]
    public void ContentType_FollowsTheExtension(string extension, string contentType) =>
        Assert.Equal(contentType, ContainerSignature.ContentTypeFor(extension));

    [Fact]
    public void ContentType_OfAnUnsupportedExtension_IsRefused() =>
        Assert.Throws<ArgumentException>(() => ContainerSignature.ContentTypeFor(".exe"));

    private static bool SameFamily(string extension, string family) =>
        extension == family || (extension is ".mp4" or ".mov" && family is ".mp4" or ".mov");

    private static byte[] Element(uint id, params byte[] value)
    {
        byte[] idBytes = id > 0xFFFF ? [(byte)(id >> 16), (byte)(id >> 8), (byte)id] : id > 0xFF ? [(byte)(id >> 8), (byte)id] : [(byte)id];
        return [.. idBytes, (byte)(0x80 | value.Length), .. value];
    }

    private static byte[] DocType(string value) => Element(0x4282, Encoding.Latin1.GetBytes(value));

    private static byte[] Ebml(params byte[][] children)
    {
        byte[] body = [.. children.SelectMany(c => c)];
        return [0x1A, 0x45, 0xDF, 0xA3, (byte)(0x80 | body.Length), .. body, 0x18, 0x53, 0x80, 0x67];
    }
}

/// <summary>
/// Real, tiny videos made by ffmpeg once per test class. A missing ffmpeg fails the tests with a
/// message instead of skipping them: the gate must be proven against what encoders really write.
/// </summary>
public sealed class SampleVideos : IAsyncLifetime
{
    /// <summary>Sample file name → the extension of its container.</summary>
    public static readonly IReadOnlyDictionary<string, string> Containers = new Dictionary<string, string>
    {
        ["h264.mp4"] = ".mp4",
        ["fragmented.mp4"] = ".mp4",
        ["h264.mov"] = ".mov",
        ["mpeg4.avi"] = ".avi",
        ["h264.mkv"] = ".mkv",
        ["vp8.mkv"] = ".mkv",
        ["vp8.webm"] = ".webm",
    };

    private static readonly string[] TestSource = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1"];

    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("surveillance-containers-");
    private readonly Dictionary<string, byte[]> bytes = [];

    public byte[] Bytes(string sample) => bytes[sample];

    /// <summary>What an upload hands to the gate: the first MaxHeaderBytes, or the whole file if shorter.</summary>
    public byte[] Header(string sample) => bytes[sample][..Math.Min(bytes[sample].Length, ContainerSignature.MaxHeaderBytes)];

    public async Task InitializeAsync()
    {
        var ffmpeg = FindFfmpeg();
        await RunAsync(ffmpeg, [.. TestSource, "-c:v", "libx264", "-pix_fmt", "yuv420p", "h264.mp4"]);
        await RunAsync(ffmpeg, ["-i", "h264.mp4", "-c", "copy", "h264.mov"]);
        await RunAsync(ffmpeg, ["-i", "h264.mp4", "-c", "copy", "h264.mkv"]);
        await RunAsync(ffmpeg, ["-i", "h264.mp4", "-c", "copy", "-movflags", "frag_keyframe+empty_moov", "fragmented.mp4"]);
        await RunAsync(ffmpeg, [.. TestSource, "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "100k", "vp8.webm"]);
        await RunAsync(ffmpeg, ["-i", "vp8.webm", "-c", "copy", "vp8.mkv"]);
        await RunAsync(ffmpeg, [.. TestSource, "-c:v", "mpeg4", "mpeg4.avi"]);

        foreach (var sample in Containers.Keys)
        {
            bytes[sample] = await File.ReadAllBytesAsync(Path.Combine(directory.FullName, sample));
        }
    }

    public Task DisposeAsync()
    {
        directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static string FindFfmpeg()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "ffmpeg"))
            .Append("/usr/bin/ffmpeg");
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "ffmpeg was not found on PATH or at /usr/bin/ffmpeg. The ContainerSignature tests encode real videos "
                + "with it; install ffmpeg (with libx264 and libvpx), as test.sh does.");
    }

    private async Task RunAsync(string ffmpeg, string[] arguments)
    {
        var start = new ProcessStartInfo(ffmpeg)
        {
            WorkingDirectory = directory.FullName,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        string[] all = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. arguments];
        foreach (var argument in all)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ffmpeg}.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', arguments)} did not finish within 2 minutes.");
        }

        await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', arguments)} failed ({process.ExitCode}): {await errors}");
        }
    }
}
