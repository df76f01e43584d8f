using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Connections.Security;

namespace Surveillance.Hosting.ClusterTls;

/// <summary>
/// The Orleans TLS settings of each kind of link, from <see cref="ClusterCertificates"/>. Both
/// ends must present a certificate (mutual TLS); each end checks the other with
/// <see cref="PeerCertificatePolicy"/> for the roles that link admits.
/// </summary>
public sealed partial class ClusterTlsLinks
{
    private readonly ClusterCertificates? _certificates;
    private readonly ILogger<ClusterTlsLinks> _logger;

    public ClusterTlsLinks(IOptions<ClusterTlsOptions> options, IServiceProvider services, ILogger<ClusterTlsLinks> logger)
    {
        _logger = logger;
        Enabled = !options.Value.Disabled;
        if (Enabled)
        {
            _certificates = services.GetRequiredService<ClusterCertificates>();
        }
        else
        {
            LogDisabled(logger);
        }
    }

    /// <summary>False only in Development with <c>ClusterTls:Disabled=true</c> (the validator refuses it elsewhere).</summary>
    public bool Enabled { get; }

    private ClusterCertificates Certificates => _certificates ?? throw new InvalidOperationException("Cluster TLS is disabled.");

    /// <summary>An inbound link (silo port, gateway): the peer is a TLS client, and must hold one of <paramref name="roles"/>.</summary>
    public TlsOptions Listener(string link, IReadOnlyCollection<string> roles)
    {
        var certificates = Certificates;
        return new TlsOptions
        {
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            // A selector rather than a fixed certificate: each handshake takes the current file's.
            LocalServerCertificateSelector = (_, _) => certificates.Current.Node,
            RemoteCertificateValidation = (peer, chain, _) => Accept(link, peer, chain, KeyUsages.ClientAuthentication, roles),
        };
    }

    /// <summary>An outbound link (to another silo, or to a gateway): the peer is a TLS server, and must be a silo.</summary>
    public TlsOptions Outbound(string link)
    {
        var certificates = Certificates;
        return new TlsOptions
        {
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            LocalCertificate = certificates.Current.Node,
            LocalClientCertificateSelector = (_, _, _, _, _) => certificates.Current.Node,
            RemoteCertificateValidation = (peer, chain, _) => Accept(link, peer, chain, KeyUsages.ServerAuthentication, [ClusterRole.Silo]),
        };
    }

    // The platform's verdict (the policy errors) is ignored on purpose: it judges against the
    // machine's trust store, and for a host name we do not use. The cluster CA decides alone.
    private bool Accept(string link, X509Certificate2 peer, X509Chain? chain, Oid usage, IReadOnlyCollection<string> roles)
    {
        var refusal = PeerCertificatePolicy.Refusal(peer, chain, Certificates.Current.Authorities, usage, roles);
        if (refusal is null)
        {
            return true;
        }

        LogRefused(_logger, link, peer.Subject, peer.Thumbprint, refusal);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster TLS is DISABLED (ClusterTls:Disabled=true): the silo and gateway ports accept anyone, in plaintext. Development only.")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster TLS: refused a peer on the {Link} link ({Subject}, {Thumbprint}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string link, string subject, string thumbprint, string reason);
}
