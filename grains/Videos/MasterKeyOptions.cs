using Microsoft.Extensions.Options;
using Surveillance.Storage;

namespace Surveillance.Videos;

/// <summary>
/// Master keys that wrap the per-video data keys, section <c>Storage</c>: <c>MasterKeys</c>
/// (id → base64 of 32 random bytes) and <c>ActiveKeyId</c>, the key new videos and rotations use.
/// </summary>
public sealed class MasterKeyOptions
{
    public const string Section = "Storage";

    public Dictionary<string, string> MasterKeys { get; set; } = [];
    public string ActiveKeyId { get; set; } = "";
}

internal sealed class MasterKeyOptionsValidator : IValidateOptions<MasterKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, MasterKeyOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.ActiveKeyId) || !options.MasterKeys.ContainsKey(options.ActiveKeyId))
        {
            failures.Add("Storage:ActiveKeyId must name one of Storage:MasterKeys (videos are encrypted at rest; a master key is required).");
        }

        foreach (var (id, value) in options.MasterKeys)
        {
            if (!IsKey(value))
            {
                failures.Add($"Storage:MasterKeys:{id} must be the base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`).");
            }
            else if (SecretStrength.Weakness(value, Convert.FromBase64String(value)) is { } weakness)
            {
                failures.Add($"Storage:MasterKeys:{id} is weak: {weakness}; generate one with `openssl rand -base64 32`.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsKey(string? value)
    {
        var buffer = new byte[32];
        return value is not null && Convert.TryFromBase64String(value, buffer, out var written) && written == 32
            && buffer.Distinct().Count() > 8;
    }
}
