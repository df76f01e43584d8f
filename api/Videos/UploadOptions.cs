using Microsoft.Extensions.Options;

namespace Surveillance.Api.Videos;

/// <summary>Section <c>Uploads</c>.</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>Largest video accepted, in bytes (API.md: 500 MiB by default).</summary>
    public long MaxBytes { get; set; } = 500L * 1024 * 1024;

    /// <summary>Room for the multipart framing and the small form fields around the file.</summary>
    public const long FormOverheadBytes = 64 * 1024;
}

internal sealed class UploadOptionsValidator : IValidateOptions<UploadOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadOptions o) =>
        o.MaxBytes > 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail("Uploads:MaxBytes must be positive.");
}
