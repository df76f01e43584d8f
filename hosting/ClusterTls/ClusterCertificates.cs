using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Surveillance.Hosting.ClusterTls;

/// <summary>
/// The node certificate and trusted CAs as the files hold them now. Every TLS handshake asks for
/// them; at most once a second the files are compared with what was loaded, and a change is
/// loaded, so a renewal (cert-manager rewriting the mounted Secret) takes effect for the next
/// connection without a restart. Connections already open keep the certificate they started
/// with. A half-written or broken renewal is logged and the previous certificates stay in use.
/// </summary>
public sealed partial class ClusterCertificates
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly ClusterTlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterCertificates> _logger;
    private readonly Lock _gate = new();
    private ClusterCertificateSet _current;
    private byte[] _loadedBytes;
    private long _checkedAt;

    public ClusterCertificates(IOptions<ClusterTlsOptions> options, TimeProvider time, ILogger<ClusterCertificates> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _loadedBytes = ReadAll();
        _current = ClusterCertificateSet.Load(_options);
        _checkedAt = _time.GetTimestamp();
    }

    public ClusterCertificateSet Current
    {
        get
        {
            lock (_gate)
            {
                if (_time.GetElapsedTime(_checkedAt) >= CheckInterval)
                {
                    _checkedAt = _time.GetTimestamp();
                    ReloadIfChanged();
                }

                return _current;
            }
        }
    }

    private void ReloadIfChanged()
    {
        try
        {
            var bytes = ReadAll();
            if (bytes.AsSpan().SequenceEqual(_loadedBytes))
            {
                return;
            }

            var loaded = ClusterCertificateSet.Load(_options);
            var refusal = ClusterTlsOptionsValidator.RefusalOfOwn(loaded, ClusterRole.Of(_current.Node) ?? "");
            if (refusal is not null)
            {
                LogRenewalRefused(_logger, refusal);
                return;
            }

            _current = loaded;
            _loadedBytes = bytes;
            LogRenewed(_logger, loaded.Node.Subject, loaded.Node.NotAfter, loaded.Authorities.Count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ClusterCertificateException)
        {
            LogRenewalRefused(_logger, e.Message);
        }
    }

    // Content, not timestamps: a Kubernetes Secret volume swaps a symlink, which may keep the times.
    private byte[] ReadAll() =>
        [.. File.ReadAllBytes(_options.CaCertificatePath!), .. File.ReadAllBytes(_options.CertificatePath!), .. File.ReadAllBytes(_options.KeyPath!)];

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster TLS: loaded renewed certificates ({Subject}, valid until {NotAfter:u}; {Authorities} trusted CA certificate(s))")]
    private static partial void LogRenewed(ILogger logger, string subject, DateTime notAfter, int authorities);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster TLS: the certificate files changed but cannot be used; the previous certificates stay in use: {Reason}")]
    private static partial void LogRenewalRefused(ILogger logger, string reason);
}
