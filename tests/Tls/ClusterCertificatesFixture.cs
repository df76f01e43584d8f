using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Surveillance.Hosting.ClusterTls;

namespace Surveillance.Tests.Tls;

/// <summary>
/// The certificates of the TLS tests, made by the project's own scripts/dev-certs.sh (so the
/// script is tested too): the cluster's CA with a silo and an API certificate, and a second,
/// unrelated CA with the same kinds of certificates (an attacker's own "cluster CA"). Plus
/// self-signed certificates that claim the roles without any CA.
/// </summary>
public sealed class ClusterCertificatesFixture : IDisposable
{
    public ClusterCertificatesFixture()
    {
        Directory.CreateDirectory(Root);
        RunDevCerts(ClusterDirectory);
        RunDevCerts(OtherCaDirectory);
        WriteSelfSigned("self-signed-api", ClusterRole.Api);
        WriteSelfSigned("self-signed-silo", ClusterRole.Silo);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "surveillance-tls-" + Guid.NewGuid().ToString("N")[..12]);

    public string ClusterDirectory => Path.Combine(Root, "cluster");

    public string OtherCaDirectory => Path.Combine(Root, "other-ca");

    public NodeCertificate Silo => Node(ClusterDirectory, "silo");

    public NodeCertificate Api => Node(ClusterDirectory, "api");

    /// <summary>An API certificate of another CA, trusting that CA (what an attacker controls end to end).</summary>
    public NodeCertificate OtherCaApi => Node(OtherCaDirectory, "api");

    public NodeCertificate OtherCaSilo => Node(OtherCaDirectory, "silo");

    public NodeCertificate SelfSignedApi => new(Path.Combine(Root, "self-signed-api.crt"), Path.Combine(Root, "self-signed-api.crt"), Path.Combine(Root, "self-signed-api.key"));

    public NodeCertificate SelfSignedSilo => new(Path.Combine(Root, "self-signed-silo.crt"), Path.Combine(Root, "self-signed-silo.crt"), Path.Combine(Root, "self-signed-silo.key"));

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Surveillance.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"No Surveillance.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Runs scripts/dev-certs.sh on <paramref name="directory"/>; returns its standard error (what it made).</summary>
    public static string RunDevCerts(string directory)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot, "scripts", "dev-certs.sh"), directory])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("scripts/dev-certs.sh took over 60 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/dev-certs.sh failed ({process.ExitCode}): {errors.Result}");
        }

        return errors.Result;
    }

    public static X509Certificate2 Load(NodeCertificate node) => X509Certificate2.CreateFromPemFile(node.CertificatePath, node.KeyPath);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static NodeCertificate Node(string directory, string role) =>
        new(Path.Combine(directory, "ca.crt"), Path.Combine(directory, $"{role}.crt"), Path.Combine(directory, $"{role}.key"));

    private void WriteSelfSigned(string name, string role)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=surveillance-{role}, OU={role}, O=Surveillance development", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([KeyUsages.ServerAuthentication, KeyUsages.ClientAuthentication], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(Root, name + ".crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Root, name + ".key"), key.ExportPkcs8PrivateKeyPem());
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterTlsTests : ICollectionFixture<ClusterCertificatesFixture>
{
    public const string Name = "Cluster TLS";
}
