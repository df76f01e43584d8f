namespace Surveillance.Api.Hosting.Https;

/// <summary>
/// TLS at the API itself: section <c>Https</c>. Unset, the API speaks plain HTTP and TLS is left to
/// a proxy (README "Behind a TLS-terminating proxy"). Set, every <c>https://</c> URL the API listens
/// on (<c>ASPNETCORE_URLS</c>) serves this certificate with TLS 1.2/1.3 and HTTP/2. The files are PEM,
/// as cert-manager or any CA hands them out, and are re-read when they change.
/// </summary>
public sealed class ApiHttpsOptions
{
    public const string Section = "Https";

    /// <summary>The server certificate (PEM), followed by its intermediate CA certificates (a "full chain" file).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its private key (PEM, PKCS#8 or PKCS#1/SEC1, unencrypted; the file should be 0600).</summary>
    public string? KeyPath { get; set; }

    /// <summary>What a plain-HTTP listener beside the HTTPS one does (only with a certificate configured).</summary>
    public PlainHttp PlainHttp { get; set; } = PlainHttp.Off;

    /// <summary>Whether TLS is configured at all (half a configuration is refused at start-up).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(KeyPath);

    public static string Key(string property) => $"{Section}:{property}";
}

/// <summary>Plain HTTP beside HTTPS.</summary>
public enum PlainHttp
{
    /// <summary>
    /// No plain-HTTP listener: start-up refuses an <c>http://</c> URL. The default, because a bearer
    /// token sent over plain HTTP has already crossed the network in clear when a redirect answers.
    /// </summary>
    Off,

    /// <summary>Every plain-HTTP request is answered 308 with the same URL on the HTTPS port (for browsers and old links).</summary>
    Redirect,
}
