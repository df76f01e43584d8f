using System.Diagnostics;
using Surveillance.Tests.Tls;

namespace Surveillance.Tests.Https;

/// <summary>
/// An outside judge of the API's TLS: scripts/check-tls.sh runs testssl.sh against the API
/// serving scripts/dev-certs.sh's certificate and fails on any finding rated HIGH or CRITICAL.
/// One finding is allowed, and printed: the development CA publishes no CRL or OCSP address
/// (<c>cert_revocation</c>), a property of that CA's certificates, not of the server.
/// </summary>
[Collection(HttpsTests.Name)]
public sealed class TestsslScanTests(HttpsFixture fixture)
{
    [Fact]
    public async Task Testssl_FindsNothingRatedHighOrCritical()
    {
        var script = Path.Combine(ClusterCertificatesFixture.RepositoryRoot, "scripts", "check-tls.sh");
        var start = new ProcessStartInfo("bash",
            [script, $"https://127.0.0.1:{fixture.Api.HttpsPort}/", "--add-ca", fixture.Certificates.CaPath, "--allow", "cert_revocation"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        var report = output + await errors;

        Assert.True(process.ExitCode == 0, report);
        Assert.Contains("check-tls: 0 finding(s) rated HIGH or CRITICAL", output, StringComparison.Ordinal);
        // The scan really judged this server: it saw TLS 1.2 and 1.3 offered, TLS 1 not, and HSTS.
        Assert.Matches(@"(?m)^TLS1_2\s+OK\s+offered", output);
        Assert.Matches(@"(?m)^TLS1_3\s+OK\s+offered", output);
        Assert.Matches(@"(?m)^TLS1\s+\S+\s+not offered", output);
        Assert.Matches(@"(?m)^HSTS_time\s+OK\s+", output);
    }
}
