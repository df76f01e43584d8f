using System.Globalization;
using System.Text;

namespace Surveillance.Audit;

/// <summary>
/// Makes a request-controlled value safe to store and show in the audit log (OWASP log injection):
/// CR, LF and tab become <c>\r</c>, <c>\n</c>, <c>\t</c>; every other control character, the line and
/// paragraph separators and the bidirectional overrides (which can make a viewer display text in
/// a misleading order) become <c>\uXXXX</c>; lone surrogates become U+FFFD; then the value is capped.
/// </summary>
public static class AuditText
{
    public const int MaxUserAgent = 512;
    public const int MaxPath = 2048;
    public const int MaxUsername = 128;
    public const int MaxRequestId = 64;
    public const int MaxClientIp = 64;
    public const int MaxMethod = 16;
    public const int MaxEvent = 64;
    public const int MaxError = 256;
    public const int MaxDetailKey = 64;
    public const int MaxDetailValue = 1024;
    public const int MaxDetails = 32;

    public static string Clean(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value.Length <= maxLength && !value.Any(NeedsEscape))
        {
            return value;
        }

        var text = new StringBuilder(Math.Min(value.Length, maxLength) + 8);
        for (var i = 0; i < value.Length && text.Length < maxLength; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                if (text.Length + 2 > maxLength)
                {
                    break;
                }

                text.Append(c).Append(value[++i]);
                continue;
            }

            var escaped = Escape(c);
            if (text.Length + escaped.Length > maxLength)
            {
                break; // Never cut an escape in half.
            }

            text.Append(escaped);
        }

        return text.ToString();
    }

    /// <summary>Cleans keys and values and keeps at most <see cref="MaxDetails"/> of them; null when empty.</summary>
    public static IReadOnlyDictionary<string, string>? Clean(IReadOnlyDictionary<string, string>? details)
    {
        if (details is null || details.Count == 0)
        {
            return null;
        }

        var cleaned = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in details.OrderBy(d => d.Key, StringComparer.Ordinal).Take(MaxDetails))
        {
            if (Clean(key, MaxDetailKey) is { Length: > 0 } name)
            {
                cleaned[name] = Clean(value, MaxDetailValue);
            }
        }

        return cleaned.Count == 0 ? null : cleaned;
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || IsSeparatorOrBidi(c);

    private static bool IsSeparatorOrBidi(char c) =>
        c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static string Escape(char c) => c switch
    {
        '\r' => "\\r",
        '\n' => "\\n",
        '\t' => "\\t",
        _ when char.IsSurrogate(c) => "\uFFFD",
        _ when char.IsControl(c) || IsSeparatorOrBidi(c) =>
            "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
        _ => c.ToString(),
    };
}
