using System.Diagnostics;

namespace Surveillance.Tests.Tls;

/// <summary>
/// The check an operator can make from a shell: <c>openssl s_client</c> against the gateway port
/// of a running silo gets a TLS connection only when it presents a node certificate of the
/// cluster. .NET on Linux checks the client certificate right after OpenSSL's handshake, so
/// s_client may print a negotiated session either way; what differs is that a refused client is
/// dropped at once. So s_client reads for a second: an accepted client stays connected (the
/// gateway waits for Orleans' preamble) and s_client ends normally.
/// </summary>
[Collection(ClusterTlsTests.Name)]
public sealed class OpensslHandshakeTests(ClusterCertificatesFixture certificates)
{
    [Theory]
    [InlineData("-tls1_2")]
    [InlineData("-tls1_3")]
    public async Task OpensslSClient_CompletesTheHandshake_OnlyWithANodeCertificate(string protocol)
    {
        await using var nodes = new TlsNodes();
        var (_, _, gateway) = await nodes.StartSiloAsync(certificates.Silo);
        var ca = certificates.Silo.CaCertificatePath;

        var withApi = await SClientAsync(gateway, protocol, $"-CAfile {ca} -cert {certificates.Api.CertificatePath} -key {certificates.Api.KeyPath}");
        var withSilo = await SClientAsync(gateway, protocol, $"-CAfile {ca} -cert {certificates.Silo.CertificatePath} -key {certificates.Silo.KeyPath}");
        var without = await SClientAsync(gateway, protocol, $"-CAfile {ca}");
        var otherCa = await SClientAsync(gateway, protocol, $"-CAfile {ca} -cert {certificates.OtherCaApi.CertificatePath} -key {certificates.OtherCaApi.KeyPath}");

        AssertCompleted(withApi);
        AssertCompleted(withSilo);
        AssertRefused(without);
        AssertRefused(otherCa);
    }

    private static void AssertCompleted((int ExitCode, string Output) run)
    {
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Verify return code: 0 (ok)", run.Output, StringComparison.Ordinal);
        Assert.Contains("OU = silo", run.Output, StringComparison.Ordinal);   // the gateway showed its silo certificate
        Assert.DoesNotContain("alert", run.Output, StringComparison.Ordinal);
    }

    private static void AssertRefused((int ExitCode, string Output) run)
    {
        // The silo drops the connection during (TLS 1.2) or right after (TLS 1.3) the handshake.
        Assert.True(run.ExitCode != 0, run.Output);
        Assert.True(
            run.Output.Contains("unexpected eof while reading", StringComparison.Ordinal) || run.Output.Contains("alert", StringComparison.Ordinal),
            run.Output);
    }

    /// <summary>Runs s_client with a second of open input (so a TLS 1.3 post-handshake alert is read), and returns its exit code and output.</summary>
    private static async Task<(int, string)> SClientAsync(int port, string protocol, string arguments)
    {
        var command = $"sleep 1 | openssl s_client -connect 127.0.0.1:{port} {protocol} -verify_return_error {arguments} 2>&1";
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, output);
    }
}
