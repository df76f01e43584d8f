using Surveillance.Errors;

namespace Surveillance.Identity;

/// <summary>API.md: 12 to 128 characters, any characters, not equal to the username.</summary>
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
    }
}
