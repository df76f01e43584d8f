using Surveillance.Errors;

namespace Surveillance.Identity;

/// <summary>
/// API.md and ASVS 5.0 §6.2: 12 to 128 characters (Unicode scalar values), any characters, no
/// composition rules; not equal to the username; not a common or breached password
/// (<see cref="CommonPasswords"/>). Applied on create, change and reset. The errors name the rule,
/// never the password.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    public static void Enforce(string username, string password)
    {
        var length = password.EnumerateRunes().Count();
        if (length is < MinLength or > MaxLength)
        {
            throw DomainException.Validation($"The password must be {MinLength} to {MaxLength} characters long.");
        }

        if (string.Equals(password, username, StringComparison.OrdinalIgnoreCase))
        {
            throw DomainException.Validation("The password must not equal the username.");
        }

        if (CommonPasswords.Contains(password))
        {
            throw DomainException.Validation("The password is in a list of common or breached passwords; choose another.");
        }
    }
}
