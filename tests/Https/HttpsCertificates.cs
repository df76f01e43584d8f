using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Surveillance.Hosting.ClusterTls;
using Surveillance.Tests.Tls;

namespace Surveillance.Tests.Https;

/// <summary>
/// The API's server certificates for the HTTPS tests: the development CA and <c>https</c>
/// certificate made by scripts/dev-certs.sh (so the script is tested too), and certificates that
/// must be refused or accepted at start-up: expired, not yet valid, client-only, a 1024-bit RSA
/// key, self-signed, and a leaf of an intermediate CA written as a full-chain file.
/// </summary>
public sealed class HttpsCertificates : IDisposable
{
    public HttpsCertificates()
    {
        Directory.CreateDirectory(Root);
        ClusterCertificatesFixture.RunDevCerts(DevDirectory);
        WriteSelfSigned("expired", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1), ECDsa.Create(ECCurve.NamedCurves.nistP256));
        WriteSelfSigned("not-yet-valid", DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(30), ECDsa.Create(ECCurve.NamedCurves.nistP256));
        WriteSelfSigned("self-signed", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), ECDsa.Create(ECCurve.NamedCurves.nistP256));
        WriteSelfSigned("rsa-1024", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), RSA.Create(1024));
        WriteIntermediateChain();
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "surveillance-https-" + Guid.NewGuid().ToString("N")[..12]);

    public string DevDirectory => Path.Combine(Root, "dev");

    /// <summary>The development CA that issued <see cref="Server"/>.</summary>
    public string CaPath => Path.Combine(DevDirectory, "ca.crt");

    /// <summary>scripts/dev-certs.sh's API server certificate (EC P-256, serverAuth, localhost and 127.0.0.1).</summary>
    public (string Certificate, string Key) Server => (Path.Combine(DevDirectory, "https.crt"), Path.Combine(DevDirectory, "https.key"));

    /// <summary>The cluster's API client certificate: clientAuth only, so no server certificate.</summary>
    public (string Certificate, string Key) ClientOnly => (Path.Combine(DevDirectory, "api.crt"), Path.Combine(DevDirectory, "api.key"));

    /// <summary>A leaf of an intermediate CA of <see cref="ChainRootPath"/>; the certificate file holds the leaf, then the intermediate.</summary>
    public (string Certificate, string Key) FullChain => Pair("full-chain");

    /// <summary>The root of <see cref="FullChain"/> (not in the certificate file, as with a public CA).</summary>
    public string ChainRootPath => Path.Combine(Root, "chain-root.crt");

    public X509Certificate2 ChainRoot => X509CertificateLoader.LoadCertificateFromFile(ChainRootPath);

    public (string Certificate, string Key) Expired => Pair("expired");

    public (string Certificate, string Key) NotYetValid => Pair("not-yet-valid");

    public (string Certificate, string Key) SelfSigned => Pair("self-signed");

    public (string Certificate, string Key) Rsa1024 => Pair("rsa-1024");

    public X509Certificate2 Ca => X509CertificateLoader.LoadCertificateFromFile(CaPath);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private (string, string) Pair(string name) => (Path.Combine(Root, name + ".crt"), Path.Combine(Root, name + ".key"));

    private static CertificateRequest ServerRequest(string subject, AsymmetricAlgorithm key)
    {
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([KeyUsages.ServerAuthentication], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request;
    }

    private void WriteSelfSigned(string name, DateTimeOffset notBefore, DateTimeOffset notAfter, AsymmetricAlgorithm key)
    {
        using (key)
        {
            using var certificate = ServerRequest($"CN={name}", key).CreateSelfSigned(notBefore, notAfter);
            File.WriteAllText(Path.Combine(Root, name + ".crt"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(Root, name + ".key"), key.ExportPkcs8PrivateKeyPem());
        }
    }

    private void WriteIntermediateChain()
    {
        // A root of its own: the development CA allows no intermediate (pathlen 0).
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Surveillance test root CA", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var validFrom = DateTimeOffset.UtcNow.AddHours(-1);
        using var ca = rootRequest.CreateSelfSigned(validFrom, DateTimeOffset.UtcNow.AddDays(90));
        File.WriteAllText(ChainRootPath, ca.ExportCertificatePem());
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=Surveillance test intermediate CA", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var intermediatePublic = intermediateRequest.Create(ca, validFrom, DateTimeOffset.UtcNow.AddDays(60), RandomNumberGenerator.GetBytes(16));
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = ServerRequest("CN=full-chain", leafKey)
            .Create(intermediate, validFrom, DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(Path.Combine(Root, "full-chain.crt"), leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(Root, "full-chain.key"), leafKey.ExportPkcs8PrivateKeyPem());
    }
}
