using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Surveillance.Tests.Tls;

/// <summary>
/// Certificates expire: a renewal must not need downtime. Renewed files are picked up by the
/// next connection without a restart; a broken renewal does not take the node down; and a CA
/// bundle with the old and the new CA lets old and new nodes work together during a CA rotation
/// (README, "Cluster transport security").
/// </summary>
[Collection(ClusterTlsTests.Name)]
public sealed class CertificateRotationTests(ClusterCertificatesFixture certificates)
{
    [Fact]
    public async Task RenewedSiloCertificate_IsServedToNewConnections_WithoutARestart()
    {
        var directory = CopyOfCluster();
        var silo = Node(directory, "silo");
        await using var nodes = new TlsNodes();
        var (_, _, gateway) = await nodes.StartSiloAsync(silo);
        var before = await ServedSerialAsync(gateway);

        File.Delete(silo.CertificatePath);
        ClusterCertificatesFixture.RunDevCerts(directory);   // issues a new silo certificate from the same CA
        await Task.Delay(TimeSpan.FromSeconds(1.5));         // the files are compared at most once a second
        var after = await ServedSerialAsync(gateway);

        Assert.NotEqual(before, after);
        Assert.Equal(X509Certificate2.CreateFromPem(File.ReadAllText(silo.CertificatePath)).SerialNumber, after);
        var api = nodes.ApiClient(gateway, certificates.Api);
        await api.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await TlsNodes.ActiveSilosAsync(api));
    }

    [Fact]
    public async Task BrokenRenewal_KeepsThePreviousCertificate_AndTheSiloServing()
    {
        var directory = CopyOfCluster();
        var silo = Node(directory, "silo");
        await using var nodes = new TlsNodes();
        var (_, _, gateway) = await nodes.StartSiloAsync(silo);
        var before = await ServedSerialAsync(gateway);

        await File.WriteAllTextAsync(silo.CertificatePath, "-----BEGIN CERTIFICATE-----\nhalf-written\n");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Equal(before, await ServedSerialAsync(gateway));
        var api = nodes.ApiClient(gateway, certificates.Api);
        await api.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await TlsNodes.ActiveSilosAsync(api));
    }

    [Fact]
    public async Task CaBundle_WithTheOldAndTheNewCa_AdmitsNodesOfBoth_SoACaRotationNeedsNoDowntime()
    {
        // Mid-rotation: every node trusts both CAs; some still hold old-CA certificates, some new.
        var bundle = Path.Combine(certificates.Root, "bundle-" + Guid.NewGuid().ToString("N")[..8] + ".crt");
        await File.WriteAllTextAsync(bundle,
            await File.ReadAllTextAsync(certificates.Silo.CaCertificatePath) + await File.ReadAllTextAsync(certificates.OtherCaSilo.CaCertificatePath));
        await using var nodes = new TlsNodes();
        var (_, primary, gateway) = await nodes.StartSiloAsync(certificates.Silo with { CaCertificatePath = bundle });
        await nodes.StartSiloAsync(certificates.OtherCaSilo with { CaCertificatePath = bundle }, primary);

        var newApi = nodes.ApiClient(gateway, certificates.OtherCaApi with { CaCertificatePath = bundle });
        await newApi.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, await TlsNodes.ActiveSilosAsync(newApi));
    }

    private string CopyOfCluster()
    {
        var directory = Path.Combine(certificates.Root, "rotation-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.GetFiles(certificates.ClusterDirectory))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        return directory;
    }

    private static NodeCertificate Node(string directory, string role) =>
        new(Path.Combine(directory, "ca.crt"), Path.Combine(directory, $"{role}.crt"), Path.Combine(directory, $"{role}.key"));

    /// <summary>The serial number of the certificate a TLS handshake with the gateway is served.</summary>
    private async Task<string> ServedSerialAsync(int port)
    {
        using var client = ClusterCertificatesFixture.Load(certificates.Api);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [client],
            // Only the served certificate matters here; the trust checks are the other tests' subject.
            RemoteCertificateValidationCallback = (_, served, _, _) => served is not null,
        }).WaitAsync(TimeSpan.FromSeconds(10));
        return new X509Certificate2(tls.RemoteCertificate!).SerialNumber;
    }
}
