using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Surveillance.Tests.Tls;

namespace Surveillance.Tests.Https;

/// <summary>
/// The API's certificate is renewed without a restart (a certificate that expires while the API
/// keeps serving it is an outage), a broken renewal does not take it down, and a full-chain file
/// sends its intermediate so that clients trusting only the root connect.
/// </summary>
[Collection(HttpsTests.Name)]
public sealed class CertificateRenewalTests(HttpsFixture fixture)
{
    [Fact]
    public async Task RenewedCertificate_IsServedToNewConnections_WithoutARestart()
    {
        var (certificate, key) = CopyOf(fixture.Certificates.Server);
        await using var api = await HttpsApi.StartAsync(fixture.Cluster, HttpsApi.Settings((certificate, key), "Off", urls: "https://127.0.0.1:{https}"));
        var before = await ServedThumbprintAsync(api);

        // The renewal: what cert-manager or certbot writes, here a certificate of the same chain (full-chain file).
        File.Copy(fixture.Certificates.FullChain.Certificate, certificate, overwrite: true);
        File.Copy(fixture.Certificates.FullChain.Key, key, overwrite: true);
        var expected = X509CertificateLoader.LoadCertificateFromFile(fixture.Certificates.FullChain.Certificate).Thumbprint;

        Assert.Equal(X509CertificateLoader.LoadCertificateFromFile(fixture.Certificates.Server.Certificate).Thumbprint, before);
        await WaitUntilAsync(async () => await ServedThumbprintAsync(api) == expected);
    }

    [Fact]
    public async Task BrokenRenewal_KeepsThePreviousCertificate_AndTheApiServing()
    {
        var logs = new CapturedLogs();
        var (certificate, key) = CopyOf(fixture.Certificates.Server);
        await using var api = await HttpsApi.StartAsync(fixture.Cluster, HttpsApi.Settings((certificate, key), "Off", urls: "https://127.0.0.1:{https}"), logs: logs);
        var before = await ServedThumbprintAsync(api);

        // Half written: a new certificate whose key has not arrived yet.
        File.Copy(fixture.Certificates.SelfSigned.Certificate, certificate, overwrite: true);
        // The files are looked at when a handshake asks for the certificate: keep connecting until the refusal is logged.
        await WaitUntilAsync(async () =>
        {
            await ServedThumbprintAsync(api);
            return logs.Messages.Any(m => m.Contains("cannot be used; the previous certificate stays in use", StringComparison.Ordinal));
        });

        Assert.Equal(before, await ServedThumbprintAsync(api));
    }

    [Fact]
    public async Task FullChainFile_SendsTheIntermediate_SoAClientTrustingOnlyTheRootConnects()
    {
        await using var api = await HttpsApi.StartAsync(fixture.Cluster, HttpsApi.Settings(fixture.Certificates.FullChain, "Off", urls: "https://127.0.0.1:{https}"));
        using var client = HttpsApi.Client(fixture.Certificates.ChainRoot);

        using var response = await client.GetAsync(new Uri(api.HttpsBase, "/health/live"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private (string Certificate, string Key) CopyOf((string Certificate, string Key) pair)
    {
        var directory = Path.Combine(fixture.Certificates.Root, "renewal-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var copy = (Path.Combine(directory, "tls.crt"), Path.Combine(directory, "tls.key"));
        File.Copy(pair.Certificate, copy.Item1);
        File.Copy(pair.Key, copy.Item2);
        return copy;
    }

    /// <summary>The certificate a new connection is served; whether it is trusted is the other tests' subject.</summary>
    private static async Task<string> ServedThumbprintAsync(HttpsApi api)
    {
        await using var tls = await api.HandshakeAsync(null, SslProtocols.Tls13, SslApplicationProtocol.Http11);
        return new X509Certificate2(tls.RemoteCertificate!).Thumbprint;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 20 s");
            await Task.Delay(250);
        }
    }
}
