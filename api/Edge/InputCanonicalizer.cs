using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Surveillance.Api.Edge;

/// <summary>
/// Brings a request value to the one form the threat rules look at, so that an encoding trick cannot
/// hide a payload that a later decoder (a second URL decode, an HTML renderer, a normalising store)
/// would restore. Each round is linear in the input and the rounds are bounded.
/// </summary>
public static partial class InputCanonicalizer
{
    /// <summary>
    /// URL and HTML-reference layers peeled off at most. No component we feed decodes more than twice;
    /// the bound stops a <c>%252525…</c> chain from costing one round per character.
    /// </summary>
    public const int MaxDecodeRounds = 5;

    /// <summary>Characters that no decoding or folding step changes (apart from the case of letters).</summary>
    private static readonly SearchValues<char> Plain =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.-");

    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);

    // U+FE50..U+FE6B (small form variants) as NFKC maps them; unassigned U+FE53 and U+FE67 stay themselves.
    private const string SmallForms = ",\u3001.\uFE53;:?!\u2014(){}\u3014\u3015#&*+-<>=\uFE67\\$%@";

    /// <summary>
    /// Decodes percent escapes and HTML character references until stable (at most
    /// <see cref="MaxDecodeRounds"/> rounds), folds compatibility characters onto ASCII, lower-cases,
    /// drops control and format characters, and collapses whitespace to single spaces. <c>plusIsSpace</c>
    /// is for query-string and form values, where '+' encodes a space.
    /// </summary>
    public static string Canonicalize(string value, bool plusIsSpace = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        // The common case (a plain path such as /auth/me): no escape, reference, space, control or
        // compatibility character, so every step below would return it unchanged but lower-cased.
        if (!value.AsSpan().ContainsAnyExcept(Plain))
        {
            return value.ToLowerInvariant();
        }

        var current = value;
        for (var round = 0; round < MaxDecodeRounds; round++)
        {
            var next = DecodeCharacterReferences(DecodePercent(current, plusIsSpace));
            if (next == current)
            {
                break;
            }

            current = next;
        }

        return Fold(current);
    }

    // One layer of %XX (and IIS's %uXXXX), decoded on the UTF-8 bytes and read back by a lenient decoder that
    // accepts overlong forms: %c0%ae%c0%ae%c0%af was "../" to the servers it fooled (CVE-2000-0884), so it
    // must be "../" to us; a strict decoder would hide it behind replacement characters.
    private static string DecodePercent(string s, bool plusIsSpace)
    {
        if (!s.Contains('%') && !(plusIsSpace && s.Contains('+')))
        {
            return s;
        }

        var bytes = Encoding.UTF8.GetBytes(s);
        int w = 0, decoded = 0;
        for (var r = 0; r < bytes.Length; r++, w++)
        {
            if (bytes[r] == '%' && IsHex(bytes, r + 1, 2))
            {
                bytes[w] = (byte)((Hex(bytes[r + 1]) << 4) | Hex(bytes[r + 2]));
                r += 2;
                decoded++;
            }
            else if (bytes[r] == '%' && r + 1 < bytes.Length && (bytes[r + 1] | 0x20) == 'u' && IsHex(bytes, r + 2, 4))
            {
                var unit = (char)((Hex(bytes[r + 2]) << 12) | (Hex(bytes[r + 3]) << 8) | (Hex(bytes[r + 4]) << 4) | Hex(bytes[r + 5]));
                w += (Rune.IsValid(unit) ? new Rune(unit) : Rune.ReplacementChar).EncodeToUtf8(bytes.AsSpan(w)) - 1;
                r += 5;
                decoded++;
            }
            else
            {
                var plus = plusIsSpace && bytes[r] == '+';
                (bytes[w], decoded) = plus ? ((byte)' ', decoded + 1) : (bytes[r], decoded);
            }
        }

        return decoded > 0 ? DecodeUtf8Leniently(bytes.AsSpan(0, w)) : s;
    }

    private static string DecodeUtf8Leniently(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        for (var i = 0; i < bytes.Length;)
        {
            int lead = bytes[i++];
            var (codePoint, continuations) = lead switch
            {
                < 0x80 => (lead, 0), < 0xC0 => (-1, -1), < 0xE0 => (lead & 0x1F, 1), < 0xF0 => (lead & 0x0F, 2), < 0xF8 => (lead & 0x07, 3), _ => (-1, -1),
            };
            for (; continuations > 0 && i < bytes.Length && (bytes[i] & 0xC0) == 0x80; continuations--)
            {
                codePoint = (codePoint << 6) | (bytes[i++] & 0x3F);
            }

            AppendRune(sb, continuations == 0 && Rune.TryCreate(codePoint, out var rune) ? rune : Rune.ReplacementChar);
        }

        return sb.ToString();
    }

    // Browsers resolve &lt; &#60; &#x3c; and even &#0000060 without the semicolon, so "javascript&#58;" and
    // "&lt;script" reach a renderer as markup. Names match case-insensitively, which only widens what we catch.
    private static string DecodeCharacterReferences(string s) =>
        s.Contains('&') ? CharacterReference().Replace(s, Resolve) : s;

    private static string Resolve(Match reference)
    {
        var groups = reference.Groups;
        if (!groups[3].Success)
        {
            var hex = groups[1].Success;
            var value = 0;
            foreach (var digit in (hex ? groups[1] : groups[2]).ValueSpan)
            {
                value = Math.Min((value * (hex ? 16 : 10)) + Hex(digit), 0x110000);
            }

            return value > 0 && Rune.TryCreate(value, out var rune) ? rune.ToString() : "\uFFFD";
        }

        return (groups[3].Value.ToLowerInvariant(), groups[4].Length > 0) switch
        {
            // The legacy references browsers also accept without a semicolon.
            ("lt", _) => "<", ("gt", _) => ">", ("amp", _) => "&", ("quot", _) => "\"", ("nbsp", _) => " ", ("apos", true) => "'",
            ("colon", true) => ":", ("semi", true) => ";", ("sol", true) => "/", ("bsol", true) => "\\", ("period", true) => ".",
            ("lpar", true) => "(", ("rpar", true) => ")", ("equals", true) => "=", ("grave", true) => "`", ("excl", true) => "!",
            ("num", true) => "#", ("dollar", true) => "$", ("percnt", true) => "%", ("vert" or "verbar", true) => "|",
            ("tab", true) => "\t", ("newline", true) => "\n",
            _ => reference.Value,
        };
    }

    [GeneratedRegex(@"&(?:#x([0-9a-f]+)|#([0-9]+)|([a-z]{2,7}))(;?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex CharacterReference();

    private static void AppendRune(StringBuilder sb, Rune rune)
    {
        Span<char> utf16 = stackalloc char[2];
        sb.Append(utf16[..rune.EncodeToUtf16(utf16)]);
    }

    private static bool IsHex(byte[] s, int start, int count) =>
        start + count <= s.Length && !s.AsSpan(start, count).ContainsAnyExcept(HexDigits);

    private static int Hex(int c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    // Full-width and other compatibility forms ("＜ｓｃｒｉｐｔ＞", "．．／") become live syntax in any
    // NFKC-normalising library or store downstream. InvariantGlobalization makes string.Normalize a
    // no-op for them, so the NFKC mappings onto ASCII are applied here.
    private static string Fold(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var rune in s.EnumerateRunes())
        {
            // NUL and zero-width characters split keywords ("<scr\0ipt>") for filters, not for every parser.
            if ((Rune.IsControl(rune) && !Rune.IsWhiteSpace(rune)) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format)
            {
                continue;
            }

            if (Rune.IsWhiteSpace(rune))
            {
                sb.Append(sb.Length > 0 && sb[^1] != ' ' ? " " : "");
            }
            else if (Compatible(rune.Value) is { } ascii)
            {
                sb.Append(ascii);
            }
            else
            {
                AppendRune(sb, Rune.ToLowerInvariant(rune));
            }
        }

        return sb.ToString().TrimEnd(' ');
    }

    // The ASCII a compatibility character folds to, or null; lower-cased, as Fold's output is.
    private static string? Compatible(int cp) => cp switch
    {
        >= 0xFF01 and <= 0xFF5E => Ascii(cp - 0xFEE0),
        >= 0xFE50 and <= 0xFE6B => Ascii(SmallForms[cp - 0xFE50]),
        0x2024 => ".", 0x2025 => "..", 0x2026 => "...",
        0x017F => "s", 0xFB00 => "ff", 0xFB01 => "fi", 0xFB02 => "fl", 0xFB03 => "ffi", 0xFB04 => "ffl", 0xFB05 or 0xFB06 => "st",
        >= 0x24B6 and <= 0x24E9 => Ascii('a' + ((cp - 0x24B6) % 26)),
        >= 0x1D400 and <= 0x1D6A3 => Ascii('a' + ((cp - 0x1D400) % 26)),
        >= 0x1D7CE and <= 0x1D7FF => Ascii('0' + ((cp - 0x1D7CE) % 10)),
        _ => null,
    };

    private static string? Ascii(int c) => c < 0x80 ? char.ToString(char.ToLowerInvariant((char)c)) : null;
}
