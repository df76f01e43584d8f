using Surveillance.Errors;

namespace Surveillance.Videos;

/// <summary>Validation of project fields.</summary>
public static class ProjectRules
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 1000;
    public const int MaxRetentionDays = 36_500;

    public static string Name(string name)
    {
        var trimmed = name.Trim();
        return trimmed.Length is > 0 and <= MaxNameLength && !trimmed.Any(char.IsControl)
            ? trimmed
            : throw DomainException.Validation($"'name' must be 1 to {MaxNameLength} characters without control characters.");
    }

    public static string? Description(string? description) => description switch
    {
        null => null,
        { Length: > MaxDescriptionLength } => throw DomainException.Validation($"'description' is longer than {MaxDescriptionLength} characters."),
        _ => description.Trim(),
    };

    public static int? RetentionDays(int? days) => days switch
    {
        null => null,
        < 1 or > MaxRetentionDays => throw DomainException.Validation($"'retention_days' must be 1 to {MaxRetentionDays}."),
        _ => days,
    };
}
