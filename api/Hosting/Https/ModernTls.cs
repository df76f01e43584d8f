using System.Net.Security;
using System.Runtime.Versioning;
using System.Security.Authentication;

namespace Surveillance.Api.Hosting.Https;

/// <summary>
/// The protocol versions and cipher suites of the API's HTTPS: Mozilla's "intermediate"
/// configuration (Server Side TLS 5.7), which every client of the last decade speaks: TLS 1.2 and
/// 1.3 only (SSL 3, TLS 1.0 and 1.1 are broken or deprecated, RFC 8996), and for TLS 1.2 only
/// ephemeral key exchange with AEAD ciphers — no CBC, RC4, 3DES, static RSA or anonymous suites.
/// </summary>
public static class ModernTls
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// The cipher suites, or null where .NET cannot restrict them (Windows: the OS policy decides).
    /// Linux: OpenSSL's defaults would also offer CBC suites in TLS 1.2.
    /// </summary>
    public static CipherSuitesPolicy? CipherSuites { get; } = OperatingSystem.IsWindows() ? null : Intermediate();

    [UnsupportedOSPlatform("windows")]
    private static CipherSuitesPolicy Intermediate() => new(
    [
        // TLS 1.3: all three (the list must name them, or TLS 1.3 has none).
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        // TLS 1.2: Mozilla intermediate, in its order.
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);
}
