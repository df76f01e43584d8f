using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Surveillance.Hosting.ClusterTls;

/// <summary>One consistent reading of the three PEM files: this node's certificate with its key, and the CAs it trusts.</summary>
public sealed record ClusterCertificateSet(X509Certificate2 Node, X509Certificate2Collection Authorities)
{
    /// <summary>Reads the files named by <paramref name="options"/>; the exception names the key whose file is unusable.</summary>
    public static ClusterCertificateSet Load(ClusterTlsOptions options)
    {
        var caKey = ClusterTlsOptions.Key(nameof(ClusterTlsOptions.CaCertificatePath));
        var certificateKey = ClusterTlsOptions.Key(nameof(ClusterTlsOptions.CertificatePath));
        var keyKey = ClusterTlsOptions.Key(nameof(ClusterTlsOptions.KeyPath));

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(RequireFile(caKey, options.CaCertificatePath));
        }
        catch (CryptographicException e)
        {
            throw new ClusterCertificateException($"{caKey}: '{options.CaCertificatePath}' is not a PEM certificate file ({e.Message}).", e);
        }

        if (authorities.Count == 0)
        {
            throw new ClusterCertificateException($"{caKey}: '{options.CaCertificatePath}' holds no certificate.");
        }

        X509Certificate2 node;
        try
        {
            node = X509Certificate2.CreateFromPemFile(RequireFile(certificateKey, options.CertificatePath), RequireFile(keyKey, options.KeyPath));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ClusterCertificateException(
                $"{certificateKey}/{keyKey}: '{options.CertificatePath}' and '{options.KeyPath}' are not a matching PEM certificate and unencrypted private key ({e.Message}).", e);
        }

        return new ClusterCertificateSet(node, authorities);
    }

    private static string RequireFile(string key, string? path) =>
        File.Exists(path) ? path : throw new ClusterCertificateException($"{key}: the file '{path}' does not exist or cannot be read.");
}

/// <summary>A cluster certificate file that cannot be used; the message names the configuration key.</summary>
public sealed class ClusterCertificateException : Exception
{
    public ClusterCertificateException(string message) : base(message) { }

    public ClusterCertificateException(string message, Exception inner) : base(message, inner) { }

    public ClusterCertificateException() { }
}
