using System.Text;

namespace Surveillance.Storage;

/// <summary>
/// Whether a secret that is long enough is also strong (ASVS 6.4, 14.3): not a placeholder or
/// example from the templates and documentation, not one byte or one short pattern repeated,
/// and at least <see cref="MinBits"/> bits of estimated entropy. The estimate is the Shannon
/// entropy of the byte values and of the differences between neighbouring bytes, whichever is
/// lower, with the Miller–Madow correction for short samples, times the length: repeated bytes,
/// a small alphabet and counting sequences (<c>abcdef…</c>) all score low, while 32 random bytes
/// score about 175 bits. It cannot see a passphrase made of words, which is why the examples
/// are listed. Every options validator that holds a secret asks this.
/// </summary>
public static class SecretStrength
{
    public const int MinBits = 128;

    /// <summary>
    /// Fragments of the placeholders in deploy/k8s/*.template.yaml and of examples published in
    /// READMEs and tutorials (compared in lower case, ignoring '-', '_' and spaces).
    /// </summary>
    private static readonly string[] Placeholders =
    [
        "replaceme", "changeme", "changeinproduction", "yoursecret", "your256bitsecret", "supersecret",
        "secretkey", "jwtsecret", "mysecret", "placeholder", "example", "pleasechange", "developmentsecret",
        "testsecret", "notasecret", "insecure", "password",
    ];

    /// <summary>Why <paramref name="text"/> (whose key bytes are <paramref name="keyBytes"/>) is weak; null when it is not.</summary>
    public static string? Weakness(string text, ReadOnlySpan<byte> keyBytes)
    {
        // A key given as base64 may still be an example phrase once decoded.
        if (IsPlaceholder(text) || IsPlaceholder(Encoding.Latin1.GetString(keyBytes)))
        {
            return "it is a placeholder or a published example, not a generated secret";
        }

        if (keyBytes.Length > 0 && keyBytes.IndexOfAnyExcept(keyBytes[0]) < 0)
        {
            return "every byte is the same";
        }

        if (RepeatedPeriod(keyBytes) is { } period)
        {
            return $"it repeats the same {period} byte(s) over and over";
        }

        var bits = EstimatedBits(keyBytes);
        return bits < MinBits
            ? $"it has about {bits:0} bits of entropy by estimate, fewer than {MinBits}"
            : null;
    }

    /// <summary>The same, for a secret used as its UTF-8 bytes (a passphrase-like key such as a JWT secret or pepper).</summary>
    public static string? Weakness(string text) => Weakness(text, Encoding.UTF8.GetBytes(text));

    /// <summary>Estimated entropy in bits (see the class summary).</summary>
    public static double EstimatedBits(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2)
        {
            return 0;
        }

        var deltas = new byte[bytes.Length - 1];
        for (var i = 0; i < deltas.Length; i++)
        {
            deltas[i] = unchecked((byte)(bytes[i + 1] - bytes[i]));
        }

        return Math.Min(BitsPerSymbol(bytes), BitsPerSymbol(deltas)) * bytes.Length;
    }

    private static double BitsPerSymbol(ReadOnlySpan<byte> symbols)
    {
        Span<int> counts = stackalloc int[256];
        foreach (var b in symbols)
        {
            counts[b]++;
        }

        double n = symbols.Length, entropy = 0;
        var distinct = 0;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                distinct++;
                entropy -= count / n * Math.Log2(count / n);
            }
        }

        // Miller–Madow: the plug-in estimate is biased low by about (K − 1) / 2N nats.
        return entropy + (distinct - 1) / (2 * n * Math.Log(2));
    }

    private static int? RepeatedPeriod(ReadOnlySpan<byte> bytes)
    {
        for (var period = 1; period <= bytes.Length / 2; period++)
        {
            var repeats = true;
            for (var i = period; i < bytes.Length && repeats; i++)
            {
                repeats = bytes[i] == bytes[i - period];
            }

            if (repeats)
            {
                return period;
            }
        }

        return null;
    }

    private static bool IsPlaceholder(string text)
    {
        var folded = new string(text.Where(c => c is not ('-' or '_' or ' ')).Select(char.ToLowerInvariant).ToArray());
        return Placeholders.Any(p => folded.Contains(p, StringComparison.Ordinal));
    }
}
