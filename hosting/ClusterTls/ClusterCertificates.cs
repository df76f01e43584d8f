using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Surveillance.Hosting.FileWatching;

namespace Surveillance.Hosting.ClusterTls;

/// <summary>
/// The node certificate and trusted CAs as the files hold them now. Every TLS handshake asks for
/// them; a renewal (cert-manager rewriting the mounted Secret) takes effect for the next
/// connection without a restart (<see cref="WatchedFiles{T}"/>). Connections already open keep
/// the certificate they started with. A half-written or broken renewal, or one whose role differs,
/// is logged and the previous certificates stay in use.
/// </summary>
public sealed partial class ClusterCertificates
{
    private readonly WatchedFiles<ClusterCertificateSet> _files;

    public ClusterCertificates(IOptions<ClusterTlsOptions> options, TimeProvider time, ILogger<ClusterCertificates> logger)
    {
        var o = options.Value;
        _files = new WatchedFiles<ClusterCertificateSet>(
            [o.CaCertificatePath!, o.CertificatePath!, o.KeyPath!],
            () => ClusterCertificateSet.Load(o),
            (loaded, current) => ClusterTlsOptionsValidator.RefusalOfOwn(loaded, ClusterRole.Of(current.Node) ?? ""),
            e => e is ClusterCertificateException,
            loaded => LogRenewed(logger, loaded.Node.Subject, loaded.Node.NotAfter, loaded.Authorities.Count),
            reason => LogRenewalRefused(logger, reason),
            time);
    }

    public ClusterCertificateSet Current => _files.Current;

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster TLS: loaded renewed certificates ({Subject}, valid until {NotAfter:u}; {Authorities} trusted CA certificate(s))")]
    private static partial void LogRenewed(ILogger logger, string subject, DateTime notAfter, int authorities);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster TLS: the certificate files changed but cannot be used; the previous certificates stay in use: {Reason}")]
    private static partial void LogRenewalRefused(ILogger logger, string reason);
}
