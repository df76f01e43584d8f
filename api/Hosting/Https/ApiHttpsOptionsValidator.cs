using Microsoft.Extensions.Options;

namespace Surveillance.Api.Hosting.Https;

/// <summary>
/// Start-up check of <see cref="ApiHttpsOptions"/> against the URLs the API will listen on. Half a
/// TLS configuration is refused in every environment — a certificate without a key, a key without
/// a certificate, an <c>https://</c> URL without a certificate (Kestrel would fall back to a
/// development certificate), a certificate and no <c>https://</c> URL to serve it on, or plain
/// HTTP listening while <c>Https:PlainHttp</c> says Off — because each means the operator believes
/// the API is protected and it is not (ASVS 12.1.1, 12.2.1).
/// </summary>
public sealed class ApiHttpsOptionsValidator(IConfiguration configuration, TimeProvider time) : IValidateOptions<ApiHttpsOptions>
{
    private static readonly string CertificateKey = ApiHttpsOptions.Key(nameof(ApiHttpsOptions.CertificatePath));
    private static readonly string KeyKey = ApiHttpsOptions.Key(nameof(ApiHttpsOptions.KeyPath));
    private static readonly string PlainHttpKey = ApiHttpsOptions.Key(nameof(ApiHttpsOptions.PlainHttp));

    public ValidateOptionsResult Validate(string? name, ApiHttpsOptions options)
    {
        var listeners = ApiListeners.From(configuration);
        var hasCertificate = !string.IsNullOrWhiteSpace(options.CertificatePath);
        var hasKey = !string.IsNullOrWhiteSpace(options.KeyPath);
        if (hasCertificate != hasKey)
        {
            return ValidateOptionsResult.Fail(
                $"{(hasCertificate ? KeyKey : CertificateKey)} is missing: HTTPS needs both {CertificateKey} and {KeyKey} (PEM file paths), or neither.");
        }

        if (!options.Enabled)
        {
            return listeners.Https.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"The API is to listen on {Describe(listeners.Https)} but {CertificateKey} and {KeyKey} are not set: " +
                    "give it a certificate, or listen on http:// only (behind a TLS-terminating proxy).");
        }

        if (listeners.Https.Count == 0)
        {
            return ValidateOptionsResult.Fail(
                $"{CertificateKey} is set but the API listens on no https:// URL ({Describe(listeners.Plain)}): " +
                "add one to ASPNETCORE_URLS, e.g. https://0.0.0.0:8443.");
        }

        if (options.PlainHttp == PlainHttp.Off && listeners.Plain.Count > 0)
        {
            return ValidateOptionsResult.Fail(
                $"{PlainHttpKey} is Off but the API is to listen on {Describe(listeners.Plain)}: " +
                $"remove the http:// URL from ASPNETCORE_URLS, or set {PlainHttpKey}=Redirect.");
        }

        try
        {
            ApiServerCertificate.Load(options, time.GetUtcNow());
            return ValidateOptionsResult.Success;
        }
        catch (ApiCertificateException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }

    private static string Describe(IEnumerable<BindingAddress> addresses) => string.Join(", ", addresses.Select(a => a.ToString()));
}
