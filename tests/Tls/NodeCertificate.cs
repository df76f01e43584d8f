namespace Surveillance.Tests.Tls;

/// <summary>The three PEM files a node is configured with, as <c>ClusterTls:*</c> settings.</summary>
public sealed record NodeCertificate(string CaCertificatePath, string CertificatePath, string KeyPath)
{
    public Dictionary<string, string?> Configuration() => new()
    {
        ["ClusterTls:CaCertificatePath"] = CaCertificatePath,
        ["ClusterTls:CertificatePath"] = CertificatePath,
        ["ClusterTls:KeyPath"] = KeyPath,
    };
}
