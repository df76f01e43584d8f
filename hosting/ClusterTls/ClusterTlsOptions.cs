namespace Surveillance.Hosting.ClusterTls;

/// <summary>
/// Mutual TLS on the Orleans links (silo port and gateway): section <c>ClusterTls</c>. The files
/// are PEM, so a Kubernetes Secret or cert-manager can mount them as they are; they are re-read
/// when they change (see <see cref="ClusterCertificates"/>).
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string Section = "ClusterTls";

    /// <summary>
    /// The cluster CA (PEM, one or more certificates). Peers are trusted only when they chain to
    /// one of these, never to the machine's trust store: a certificate from any public CA is no
    /// ticket into the cluster. During a CA rotation it holds the old and the new CA.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>This node's certificate (PEM), issued by the cluster CA with this node's role as its OU.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>This node's private key (PEM, PKCS#8 or PKCS#1/SEC1, unencrypted; the file should be 0600).</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// Runs the Orleans links in plaintext. Only Development accepts it, and a warning is logged:
    /// without TLS anyone who reaches the ports can call every grain.
    /// </summary>
    public bool Disabled { get; set; }

    public static string Key(string property) => $"{Section}:{property}";
}
