using Surveillance.Api.Videos;
using Surveillance.Errors;

namespace Surveillance.Tests.Api;

public sealed class UploadInputTests
{
    [Theory]
    [InlineData("../../etc/passwd.mp4", "passwd.mp4")]
    [InlineData("..\\..\\windows\\win.ini.mp4", "win.ini.mp4")]
    [InlineData("/var/lib/surveillance/videos/cam.mp4", "cam.mp4")]
    [InlineData("uploads/../../../cam.mkv", "cam.mkv")]
    [InlineData("..", "video")]
    [InlineData("dir/", "video")]
    public void PathTraversal_KeepsOnlyTheBaseName(string clientName, string stored) =>
        Assert.Equal(stored, UploadFileName.Sanitize(clientName));

    [Theory]
    [InlineData("C:\\videos\\cam1.mp4", "cam1.mp4")]
    [InlineData("\\\\server\\share\\cam2.avi", "cam2.avi")]
    [InlineData("C:cam3.mov", "C_cam3.mov")]
    [InlineData("D:\\mixed/separators\\cam4.webm", "cam4.webm")]
    public void WindowsPaths_KeepOnlyTheBaseName_AndDriveColonsBecomeUnderscores(string clientName, string stored) =>
        Assert.Equal(stored, UploadFileName.Sanitize(clientName));

    [Fact]
    public void ReservedCharacters_BecomeUnderscores() =>
        Assert.Equal("a_b_c_d_e_f_g_h.mp4", UploadFileName.Sanitize("a<b>c:d\"e|f?g*h.mp4"));

    [Theory]
    [InlineData("cam\u00001.mp4", "cam_1.mp4")]
    [InlineData("cam\r\nSet-Cookie_x.mp4", "cam__Set-Cookie_x.mp4")]
    [InlineData("cam\t\u001b[31m\u007f.mp4", "cam__[31m_.mp4")]
    [InlineData("cam\u0085\u009f.mp4", "cam__.mp4")]
    [InlineData("invoice\u202Egpj.mp4", "invoice_gpj.mp4")]
    [InlineData("cam\u2066x\u2069.mp4", "cam_x_.mp4")]
    public void ControlAndBidiCharacters_BecomeUnderscores(string clientName, string stored) =>
        Assert.Equal(stored, UploadFileName.Sanitize(clientName));

    [Fact]
    public void LongStem_IsCutTo100Characters_AndTheExtensionKept()
    {
        var stem = string.Concat(Enumerable.Range(0, 300).Select(i => (char)('a' + (i % 26))));

        var stored = UploadFileName.Sanitize(stem + ".mp4");

        Assert.Equal(stem[..100] + ".mp4", stored);
        Assert.Equal(104, stored.Length);
    }

    [Fact]
    public void Stem_Of100Characters_IsKeptWhole()
    {
        var stem = new string('x', 100);

        Assert.Equal(stem + ".webm", UploadFileName.Sanitize(stem + ".webm"));
    }

    [Fact]
    public void Cut_NeverSplitsASurrogatePair()
    {
        var stem = new string('a', 99) + string.Concat(Enumerable.Repeat("\U0001F3A5", 100));

        var stored = UploadFileName.Sanitize(stem + ".mkv");

        Assert.Equal(new string('a', 99) + ".mkv", stored);
        Assert.Equal(new string('a', 98) + "\U0001F3A5.mkv", UploadFileName.Sanitize(new string('a', 98) + "\U0001F3A5\U0001F3A5.mkv"));
    }

    [Fact]
    public void LoneSurrogates_BecomeUnderscores_SoTheNameIsValidUtf8()
    {
        var stored = UploadFileName.Sanitize("cam\uD83D1\uDE00.mp4");

        Assert.Equal("cam_1_.mp4", stored);
    }

    [Theory]
    [InlineData("Überwachung_カメラ-3.mp4")]
    [InlineData("Кадр 🎥 камера.mov")]
    [InlineData("cam 1 (night).avi")]
    [InlineData("archive.tar.mkv")]
    [InlineData("clip.MP4")]
    public void OrdinaryAndUnicodeNames_AreKeptAsSent(string clientName) =>
        Assert.Equal(clientName, UploadFileName.Sanitize(clientName));

    [Theory]
    [InlineData(".mp4", "video.mp4")]
    [InlineData("....mp4", "video.mp4")]
    [InlineData(".hidden.mp4", "hidden.mp4")]
    [InlineData("...x.mkv", "x.mkv")]
    [InlineData(" . .x.mkv", "x.mkv")]
    [InlineData("   .mp4", "video.mp4")]
    [InlineData("", "video")]
    [InlineData("...", "video")]
    [InlineData("noext", "noext")]
    [InlineData("name.", "name")]
    public void EmptyOrHiddenStems_GetAVisibleName(string clientName, string stored) =>
        Assert.Equal(stored, UploadFileName.Sanitize(clientName));

    [Theory]
    [InlineData("../../etc/passwd.mp4")]
    [InlineData("a<b>c:d\"e|f?g*h.mp4")]
    [InlineData(" .. hidden \u0000 name .mov")]
    [InlineData("x.")]
    [InlineData("a.b.")]
    public void Sanitize_IsIdempotent(string clientName)
    {
        var once = UploadFileName.Sanitize(clientName);

        Assert.Equal(once, UploadFileName.Sanitize(once));
        Assert.DoesNotContain(once, c => c is '/' or '\\' or '<' or '>' or ':' or '"' or '|' or '?' or '*' || char.IsControl(c));
        Assert.False(once.StartsWith('.'));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n\t")]
    public void MissingDescription_IsNull(string? description) =>
        Assert.Null(VideoDescription.Clean(description));

    [Theory]
    [InlineData("<script>alert('x')</script>", "scriptalert(x)/script")]
    [InlineData("<img src=x onerror=\"steal()\">", "img src=x onerror=steal()")]
    [InlineData("Entrance & gate 3", "Entrance & gate 3")]
    public void MarkupAndQuoteCharacters_AreRemoved(string description, string cleaned) =>
        Assert.Equal(cleaned, VideoDescription.Clean(description));

    [Theory]
    [InlineData("line1\r\nline2\tend\u0000", "line1line2end")]
    [InlineData("cam\u001b[2J3\u007f\u0085", "cam[2J3")]
    [InlineData("left\u202Eright", "leftright")]
    public void ControlCharacters_IncludingNewlines_AreRemoved(string description, string cleaned) =>
        Assert.Equal(cleaned, VideoDescription.Clean(description));

    [Fact]
    public void Description_IsTrimmed_AndUnicodeKept() =>
        Assert.Equal("Kamera 3 – Einfahrt 🚗 夜間", VideoDescription.Clean("  \n Kamera 3 – Einfahrt 🚗 夜間 \t "));

    [Fact]
    public void Description_OfOnlyRemovableCharacters_IsNull() =>
        Assert.Null(VideoDescription.Clean("<>\"'\r\n\u0001 "));

    [Fact]
    public void LoneSurrogate_InDescription_IsRemoved() =>
        Assert.Equal("ab", VideoDescription.Clean("a\uD800b"));

    [Fact]
    public void Description_Of500Characters_IsAccepted()
    {
        var description = new string('d', 500);

        Assert.Equal(description, VideoDescription.Clean(description));
    }

    [Fact]
    public void Description_Over500Characters_IsAValidationError()
    {
        var error = Assert.Throws<DomainException>(() => VideoDescription.Clean(new string('d', 501)));

        Assert.Equal(DomainError.Validation, error.Error);
        Assert.Equal("The description is longer than 500 characters.", error.Message);
    }

    [Fact]
    public void DescriptionLimit_AppliesToTheCleanedText()
    {
        var text = new string('d', 500);

        Assert.Equal(text, VideoDescription.Clean(new string('<', 100) + text + "\r\n\r\n" + new string(' ', 50)));
        Assert.Throws<DomainException>(() => VideoDescription.Clean(new string('<', 100) + text + "e"));
    }
}
