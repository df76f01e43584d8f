using Microsoft.Extensions.Options;
using Surveillance.Hosting.FileWatching;

namespace Surveillance.Api.Hosting.Https;

/// <summary>
/// The API's server certificate as its files hold it now: every TLS handshake asks for it, and a
/// renewal (cert-manager, certbot) is served to the next connection without a restart, the same
/// way the cluster links re-read theirs (<see cref="WatchedFiles{T}"/>). A renewal that cannot
/// be used (half written, key not matching, expired) is logged and the previous one stays.
/// </summary>
public sealed partial class ApiServerCertificates
{
    private readonly WatchedFiles<ApiServerCertificate> _files;

    public ApiServerCertificates(IOptions<ApiHttpsOptions> options, TimeProvider time, ILogger<ApiServerCertificates> logger)
    {
        var o = options.Value;
        _files = new WatchedFiles<ApiServerCertificate>(
            [o.CertificatePath!, o.KeyPath!],
            () => ApiServerCertificate.Load(o, time.GetUtcNow()),
            (_, _) => null,
            e => e is ApiCertificateException,
            loaded => LogRenewed(logger, loaded.Certificate.Subject, loaded.Certificate.NotAfter),
            reason => LogRenewalRefused(logger, reason),
            time);
    }

    public ApiServerCertificate Current => _files.Current;

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTPS: loaded the renewed server certificate ({Subject}, valid until {NotAfter:u})")]
    private static partial void LogRenewed(ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTPS: the certificate files changed but cannot be used; the previous certificate stays in use: {Reason}")]
    private static partial void LogRenewalRefused(ILogger logger, string reason);
}
