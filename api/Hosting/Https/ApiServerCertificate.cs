using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Surveillance.Hosting.ClusterTls;

namespace Surveillance.Api.Hosting.Https;

/// <summary>
/// One reading of the API's certificate files: the server certificate with its key, and the
/// handshake context that also carries the intermediates of the file, so that clients get the
/// whole chain without the machine's certificate stores or a download.
/// </summary>
public sealed class ApiServerCertificate
{
    private ApiServerCertificate(X509Certificate2 certificate, SslStreamCertificateContext context)
    {
        Certificate = certificate;
        Context = context;
    }

    public X509Certificate2 Certificate { get; }

    public SslStreamCertificateContext Context { get; }

    /// <summary>
    /// Reads and checks the files of <paramref name="options"/>; the exception names the key whose
    /// file is unusable. Refused: a missing file, a key that is not the certificate's, a certificate
    /// that is not valid at <paramref name="now"/> or not for servers, a key too small for today.
    /// A self-signed certificate or one of a private CA is accepted: whom to trust is the clients'
    /// decision (README "HTTPS at the API").
    /// </summary>
    public static ApiServerCertificate Load(ApiHttpsOptions options, DateTimeOffset now)
    {
        var certificateKey = ApiHttpsOptions.Key(nameof(ApiHttpsOptions.CertificatePath));
        var keyKey = ApiHttpsOptions.Key(nameof(ApiHttpsOptions.KeyPath));
        var certificatePath = RequireFile(certificateKey, options.CertificatePath);
        var keyPath = RequireFile(keyKey, options.KeyPath);

        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            chain.ImportFromPemFile(certificatePath);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ApiCertificateException(
                $"{certificateKey}/{keyKey}: '{certificatePath}' and '{keyPath}' are not a matching PEM certificate and unencrypted private key ({e.Message}).", e);
        }

        if (Refusal(certificate, now) is { } refusal)
        {
            throw new ApiCertificateException($"{certificateKey}: the certificate '{certificate.Subject}' {refusal}.");
        }

        // The file's first certificate is the server's (CreateFromPemFile takes it); the rest are its intermediates.
        var intermediates = new X509Certificate2Collection();
        intermediates.AddRange(chain.Skip(1).ToArray());
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        return new ApiServerCertificate(certificate, context);
    }

    private static string? Refusal(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime())
        {
            return $"is not valid before {certificate.NotBefore.ToUniversalTime():u}";
        }

        if (now > certificate.NotAfter.ToUniversalTime())
        {
            return $"expired on {certificate.NotAfter.ToUniversalTime():u}";
        }

        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usages is not null && !usages.EnhancedKeyUsages.Cast<Oid>().Any(u => u.Value == KeyUsages.ServerAuthentication.Value))
        {
            return "does not allow serverAuth (its extended key usage is for something else)";
        }

        // NIST SP 800-57: RSA below 2048 bits and curves below 256 bits are no longer acceptable.
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null && rsa.KeySize < 2048)
        {
            return $"has an RSA key of {rsa.KeySize} bits (at least 2048 needed)";
        }

        using var ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is not null && ecdsa.KeySize < 256)
        {
            return $"has an EC key of {ecdsa.KeySize} bits (at least 256 needed)";
        }

        return null;
    }

    private static string RequireFile(string key, string? path) =>
        File.Exists(path) ? path : throw new ApiCertificateException($"{key}: the file '{path}' does not exist or cannot be read.");
}

/// <summary>An HTTPS certificate file of the API that cannot be used; the message names the configuration key.</summary>
public sealed class ApiCertificateException : Exception
{
    public ApiCertificateException(string message) : base(message) { }

    public ApiCertificateException(string message, Exception inner) : base(message, inner) { }

    public ApiCertificateException() { }
}
