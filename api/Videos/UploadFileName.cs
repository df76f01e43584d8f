namespace Surveillance.Api.Videos;

/// <summary>
/// The name an upload is stored and shown under (API.md Videos): base name only;
/// <c>&lt; &gt; : " | ? * \ /</c> and control characters become <c>_</c>; the stem is cut to
/// 100 characters; the extension is kept as sent.
/// </summary>
public static class UploadFileName
{
    public const int MaxStemLength = 100;

    private const string DefaultStem = "video";

    public static string Sanitize(string clientFileName)
    {
        ArgumentNullException.ThrowIfNull(clientFileName);

        // Clients send paths ("C:\videos\cam1.mp4", "../../etc/passwd.mp4"): only the last segment
        // names the file, so a name can never point anywhere else once it reaches a path or a header.
        var chars = clientFileName[(clientFileName.AsSpan().LastIndexOfAny('/', '\\') + 1)..].ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (IsUnsafe(chars[i]))
            {
                chars[i] = '_';
            }
        }

        var name = new string(chars);
        var dot = name.LastIndexOf('.');
        var stem = dot < 0 ? name : name[..dot];
        var extension = dot < 0 || dot == name.Length - 1 ? "" : name[dot..];

        // No hidden files (".mp4", "...x.mp4") and no names that start or end in blanks.
        var start = 0;
        while (start < stem.Length && (stem[start] == '.' || char.IsWhiteSpace(stem[start])))
        {
            start++;
        }

        stem = stem[start..].TrimEnd();
        if (stem.Length > MaxStemLength)
        {
            // Cut by UTF-16 code units, but never between the halves of a surrogate pair.
            stem = stem[..(char.IsHighSurrogate(stem[MaxStemLength - 1]) ? MaxStemLength - 1 : MaxStemLength)].TrimEnd();
        }

        return (stem.Length == 0 ? DefaultStem : stem) + extension;
    }

    /// <summary>
    /// Control characters, and the bidirectional overrides and isolates that make text display in
    /// another order than it is stored ("cam‮4pm.exe"; CVE-2021-42574, "Trojan Source").
    /// </summary>
    internal static bool IsControlOrBidi(char c) =>
        char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    // Windows-reserved characters, controls, and lone surrogates (not encodable as UTF-8, so they
    // would fail when the name is written to the database or a header).
    private static bool IsUnsafe(char c) =>
        c is '<' or '>' or ':' or '"' or '|' or '?' or '*' or '\\' or '/' || IsControlOrBidi(c) || char.IsSurrogate(c);
}
