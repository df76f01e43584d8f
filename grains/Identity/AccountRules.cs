using System.Net.Mail;
using Surveillance.Errors;

namespace Surveillance.Identity;

/// <summary>Validation of the profile fields an administrator sets.</summary>
public static class AccountRules
{
    public const int MaxEmailLength = 254;

    /// <summary>Known roles only, without duplicates; none means viewer (API.md, Roles).</summary>
    public static List<string> NormalizeRoles(IReadOnlyList<string>? roles)
    {
        if (roles is null || roles.Count == 0)
        {
            return [Roles.Viewer];
        }

        // JSON can carry [null] whatever the contract's types say: that is a 400, not a NullReferenceException.
        if (roles.Any(string.IsNullOrWhiteSpace))
        {
            throw DomainException.Validation("Roles must be non-empty strings.");
        }

        var normalized = roles.Select(r => r.Trim().ToLowerInvariant()).Distinct().Order().ToList();
        var unknown = normalized.Where(r => !Roles.All.Contains(r)).ToList();
        if (unknown.Count > 0)
        {
            throw DomainException.Validation(
                $"Unknown role(s): {string.Join(", ", unknown)}. Roles are: {string.Join(", ", Roles.All.Order())}.");
        }

        return normalized;
    }

    public static string NormalizeEmail(string email)
    {
        var trimmed = email.Trim();
        if (trimmed.Length is 0 or > MaxEmailLength
            || !MailAddress.TryCreate(trimmed, out var parsed)
            || parsed.Address != trimmed
            || !string.IsNullOrEmpty(parsed.DisplayName))
        {
            throw DomainException.Validation("The email address is not valid.");
        }

        return trimmed;
    }

    public static string RequireValidUsername(string username)
    {
        var normalized = Usernames.Normalize(username);
        return Usernames.IsValid(normalized)
            ? normalized
            : throw DomainException.Validation("The username must be 3 to 64 of a-z, 0-9, '_', '.' and '-'.");
    }
}
