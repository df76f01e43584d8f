using System.Security.Cryptography;
using System.Text;

namespace Surveillance.Identity;

/// <summary>
/// Single-use recovery codes (ASVS 6.6 lookup secrets): 10 per enrollment, each 24 random base32
/// characters (120 bits, above ASVS 6.5.2's 112 so a plain SHA-256 may store them), shown once.
/// </summary>
public static class RecoveryCodes
{
    public const int Count = 10;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int Length = 24;
    private const int GroupLength = 6;

    public static IReadOnlyList<string> Generate() =>
        Enumerable.Range(0, Count).Select(_ => Format(RandomNumberGenerator.GetString(Alphabet, Length))).ToList();

    public static string Hash(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(code))));

    /// <summary>Removes the code's hash when it is one of <paramref name="hashes"/>: each code works once.</summary>
    public static bool TryConsume(List<string> hashes, string code)
    {
        var candidate = Encoding.ASCII.GetBytes(Hash(code));
        var index = hashes.FindIndex(h => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(h), candidate));
        if (index < 0)
        {
            return false;
        }

        hashes.RemoveAt(index);
        return true;
    }

    // Typed back by people: case, dashes and spaces do not matter.
    private static string Normalize(string code) =>
        new(code.Where(c => c is not ('-' or ' ')).Select(char.ToLowerInvariant).ToArray());

    private static string Format(string code) =>
        string.Join('-', Enumerable.Range(0, Length / GroupLength).Select(i => code.Substring(i * GroupLength, GroupLength)));
}
