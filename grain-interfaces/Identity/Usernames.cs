using System.Text.RegularExpressions;

namespace Surveillance.Identity;

/// <summary>Usernames are 3–64 of <c>[a-z0-9_.-]</c>, compared and stored in lower case (API.md).</summary>
public static partial class Usernames
{
    public const int MaxLength = 64;

    public static string Normalize(string username) => username.Trim().ToLowerInvariant();

    public static bool IsValid(string normalized) => Pattern().IsMatch(normalized);

    [GeneratedRegex("^[a-z0-9_.-]{3,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
