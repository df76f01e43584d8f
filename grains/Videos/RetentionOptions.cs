using Microsoft.Extensions.Options;

namespace Surveillance.Videos;

/// <summary>
/// How project retention is enforced, section <c>Retention</c>. <see cref="DaySeconds"/> is the
/// length of a retention "day": 86400 in production; tests shorten it.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    public int DaySeconds { get; set; } = 86_400;

    /// <summary>How often a project with a retention looks for expired videos.</summary>
    public int CheckIntervalSeconds { get; set; } = 3600;
}

internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions o) =>
        o.DaySeconds > 0 && o.CheckIntervalSeconds > 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Retention:DaySeconds and Retention:CheckIntervalSeconds must be positive.");
}
