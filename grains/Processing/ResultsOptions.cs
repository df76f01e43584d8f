using Microsoft.Extensions.Options;
using Surveillance.Storage;

namespace Surveillance.Processing;

/// <summary>Section <c>Results</c>: the key that seals stored processing results.</summary>
public sealed class ResultsOptions
{
    public const string Section = "Results";
    public const int MinKeyBytes = 32;

    /// <summary>Base64 HMAC key (≥ 32 bytes). Whoever can edit the database but lacks it cannot forge results.</summary>
    public string HmacKey { get; set; } = "";

    public byte[] KeyBytes => Convert.FromBase64String(HmacKey);
}

/// <summary>Stops the silo when the results key is missing, not base64 or short.</summary>
public sealed class ResultsOptionsValidator : IValidateOptions<ResultsOptions>
{
    public ValidateOptionsResult Validate(string? name, ResultsOptions options)
    {
        var key = new byte[options.HmacKey.Length];
        if (!Convert.TryFromBase64String(options.HmacKey, key, out var length) || length < ResultsOptions.MinKeyBytes)
        {
            return ValidateOptionsResult.Fail(
                $"Results:HmacKey must be base64 of at least {ResultsOptions.MinKeyBytes} random bytes " +
                "(e.g. `openssl rand -base64 32`); it seals stored processing results.");
        }

        return SecretStrength.Weakness(options.HmacKey, key.AsSpan(0, length)) is { } weakness
            ? ValidateOptionsResult.Fail($"Results:HmacKey is weak: {weakness}; generate one with `openssl rand -base64 32`.")
            : ValidateOptionsResult.Success;
    }
}
