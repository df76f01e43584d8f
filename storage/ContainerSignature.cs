using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Surveillance.Storage;

/// <summary>
/// The upload gate of API.md (Videos): the extension must be one of <c>.mp4 .avi .mov .mkv .webm</c>
/// and the first bytes must be that container. A renamed executable, HTML page or archive never
/// gets stored under a video's name; whether the container holds decodable video is the prober's
/// question, not this one's.
/// </summary>
public static class ContainerSignature
{
    /// <summary>
    /// How many first bytes <see cref="Matches"/> looks at: pass this many, or the whole file when it
    /// is shorter. The ftyp box and the EBML header must lie within them (real ones take ~40 bytes).
    /// </summary>
    public const int MaxHeaderBytes = 4096;

    private static readonly string[] Extensions = [".mp4", ".avi", ".mov", ".mkv", ".webm"];

    /// <summary>
    /// The allowed extension of <paramref name="fileName"/>, lower case with its dot; false for any
    /// other (<c>x.mp4.exe</c>, <c>noext</c>, <c>x.mp4 </c>). A bare <c>.mp4</c> counts as an mp4
    /// named without a stem (the stored name becomes <c>video.mp4</c>).
    /// </summary>
    public static bool TryGetExtension(string fileName, out string normalizedExtension)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = fileName.AsSpan();
        var baseName = name[(name.LastIndexOfAny('/', '\\') + 1)..];
        var dot = baseName.LastIndexOf('.');
        var canonical = dot < 0 ? null : Canonical(baseName[dot..]);
        normalizedExtension = canonical ?? "";
        return canonical is not null;
    }

    /// <summary>
    /// Whether <paramref name="firstBytes"/> start the container that <paramref name="extension"/>
    /// names. False (never an exception) for anything truncated, malformed or foreign.
    /// </summary>
    public static bool Matches(string extension, ReadOnlySpan<byte> firstBytes)
    {
        ArgumentNullException.ThrowIfNull(extension);
        if (firstBytes.Length > MaxHeaderBytes)
        {
            firstBytes = firstBytes[..MaxHeaderBytes];
        }

        return Canonical(extension) switch
        {
            // MP4 and QuickTime are both ISO BMFF. Any ftyp brand is accepted for either extension:
            // brands are many (isom, iso2..iso9, mp41, mp42, avc1, dash, M4V, 3gp4, qt, ...), players
            // open either extension, and a QuickTime file (brand "qt  ") named .mp4 is still a video
            // container. An ftyp-led file that is not video (e.g. a HEIF image) fails the probe later.
            ".mp4" or ".mov" => IsIsoBmff(firstBytes),
            ".avi" => IsAvi(firstBytes),
            // DocType, not codec, tells the two EBML formats apart; a mismatch is refused both ways
            // so the stored content type is never a lie.
            ".mkv" => EbmlDocType(firstBytes) is "matroska",
            ".webm" => EbmlDocType(firstBytes) is "webm",
            _ => false,
        };
    }

    /// <summary>The media type stored and served for an allowed extension.</summary>
    public static string ContentTypeFor(string extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        return Canonical(extension) switch
        {
            ".mp4" => "video/mp4",
            ".avi" => "video/x-msvideo",
            ".mov" => "video/quicktime",
            ".mkv" => "video/x-matroska",
            ".webm" => "video/webm",
            _ => throw new ArgumentException($"'{extension}' is not an allowed video extension.", nameof(extension)),
        };
    }

    // Ordinal ignore-case, not ToLowerInvariant: "İ" (U+0130) lower-cases to "i", so ".AVİ" would pass as ".avi".
    private static string? Canonical(ReadOnlySpan<char> extension)
    {
        foreach (var allowed in Extensions)
        {
            if (extension.Equals(allowed, StringComparison.OrdinalIgnoreCase))
            {
                return allowed;
            }
        }

        return null;
    }

    // ISO/IEC 14496-12 §4.3: a FileTypeBox first: size (uint32 BE), "ftyp", major_brand, minor_version,
    // then 4-byte compatible brands. Size 0 ("to end of file") and 1 (64-bit size) never occur for it.
    private static bool IsIsoBmff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 16 || !bytes.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return false;
        }

        var size = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return size >= 16 && size % 4 == 0 && size <= (uint)bytes.Length && IsPrintableAscii(bytes.Slice(8, 4));
    }

    // RIFF form "AVI " ("AVIX" only follows in later OpenDML chunks). The RIFF size is not checked:
    // writers that cannot seek back leave it 0 or stale, and the prober reads the real structure.
    private static bool IsAvi(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes.Slice(8, 4).SequenceEqual("AVI "u8);

    private const uint EbmlHeaderId = 0x1A45DFA3;
    private const uint DocTypeId = 0x4282;

    // RFC 8794: the EBML header element and its children (EBMLVersion, ..., DocType, Void, CRC-32).
    // The header must be complete within the bytes, every child within the header, and DocType
    // present exactly once; anything else is not a header this gate trusts.
    private static string? EbmlDocType(ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        if (!TryReadElementId(bytes, ref position, out var id) || id != EbmlHeaderId
            || !TryReadSize(bytes, ref position, out var headerSize) || headerSize > (ulong)(bytes.Length - position))
        {
            return null;
        }

        var header = bytes.Slice(position, (int)headerSize);
        string? docType = null;
        position = 0;
        while (position < header.Length)
        {
            if (!TryReadElementId(header, ref position, out id)
                || !TryReadSize(header, ref position, out var size) || size > (ulong)(header.Length - position))
            {
                return null;
            }

            var value = header.Slice(position, (int)size);
            position += (int)size;
            if (id == DocTypeId)
            {
                if (docType is not null)
                {
                    return null;
                }

                docType = ReadEbmlString(value);
                if (docType is null)
                {
                    return null;
                }
            }
        }

        return docType;
    }

    // Element IDs are VINTs read with their marker bit, 1 to 4 bytes (EBMLMaxIDLength default).
    private static bool TryReadElementId(ReadOnlySpan<byte> bytes, ref int position, out uint id)
    {
        id = 0;
        var length = VintLength(bytes, position);
        if (length is 0 or > 4 || length > bytes.Length - position)
        {
            return false;
        }

        foreach (var b in bytes.Slice(position, length))
        {
            id = (id << 8) | b;
        }

        position += length;
        return true;
    }

    // Data sizes are VINTs of 1 to 8 bytes without the marker bit. All value bits set means
    // "unknown size", which the EBML header and its children may not use.
    private static bool TryReadSize(ReadOnlySpan<byte> bytes, ref int position, out ulong size)
    {
        size = 0;
        var length = VintLength(bytes, position);
        if (length == 0 || length > bytes.Length - position)
        {
            return false;
        }

        var vint = bytes.Slice(position, length);
        size = vint[0] & (0xFFu >> length);
        foreach (var b in vint[1..])
        {
            size = (size << 8) | b;
        }

        var unknown = (1UL << (7 * length)) - 1;
        position += length;
        return size != unknown;
    }

    // The VINT width is one more than the leading zero bits of its first byte; 0 when absent or
    // when the first byte is 0 (a width over 8).
    private static int VintLength(ReadOnlySpan<byte> bytes, int position) =>
        position < bytes.Length && bytes[position] != 0
            ? BitOperations.LeadingZeroCount((uint)bytes[position]) - 24 + 1
            : 0;

    // EBML strings are printable ASCII, possibly padded with trailing NUL bytes.
    private static string? ReadEbmlString(ReadOnlySpan<byte> value)
    {
        value = value.TrimEnd((byte)0);
        return IsPrintableAscii(value) ? Encoding.ASCII.GetString(value) : null;
    }

    private static bool IsPrintableAscii(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E);
}
