using System.Text;
using Surveillance.Errors;

namespace Surveillance.Api.Videos;

/// <summary>
/// An upload's optional description (API.md Videos): <c>&lt; &gt; " '</c> and control characters
/// (newlines and tabs included) removed, trimmed, at most 500 characters after cleaning.
/// </summary>
public static class VideoDescription
{
    public const int MaxLength = 500;

    /// <summary>The cleaned description; null when none is left.</summary>
    /// <exception cref="DomainException">A validation error when the cleaned text is over <see cref="MaxLength"/>.</exception>
    public static string? Clean(string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return null;
        }

        var kept = new StringBuilder(Math.Min(description.Length, MaxLength + 1));
        for (var i = 0; i < description.Length; i++)
        {
            var c = description[i];
            if (char.IsHighSurrogate(c) && i + 1 < description.Length && char.IsLowSurrogate(description[i + 1]))
            {
                kept.Append(c).Append(description[++i]);
            }
            else if (!IsRemoved(c))
            {
                kept.Append(c);
            }
        }

        var cleaned = kept.ToString().Trim();
        if (cleaned.Length == 0)
        {
            return null;
        }

        return cleaned.Length <= MaxLength
            ? cleaned
            : throw DomainException.Validation($"The description is longer than {MaxLength} characters.");
    }

    // Markup and quote characters are removed so the text is inert wherever a client renders it;
    // lone surrogates because they cannot be stored as UTF-8.
    private static bool IsRemoved(char c) =>
        c is '<' or '>' or '"' or '\'' || UploadFileName.IsControlOrBidi(c) || char.IsSurrogate(c);
}
