using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Surveillance.Api.Hosting;
using Surveillance.Hosting.ClusterTls;

namespace Surveillance.Tests.Tls;

/// <summary>
/// Security misconfiguration: a node must not start with its cluster links open. Production
/// refuses to start without usable certificates and says which key is wrong; only Development
/// may switch TLS off, explicitly, and it then warns.
/// </summary>
[Collection(ClusterTlsTests.Name)]
public sealed class ClusterTlsStartupTests(ClusterCertificatesFixture certificates)
{
    [Fact]
    public async Task ProductionSilo_WithoutClusterCertificates_RefusesToStart_NamingTheMissingKeys()
    {
        await using var nodes = new TlsNodes();

        var failure = await Record.ExceptionAsync(() => nodes.StartSiloAsync(node: null));

        var validation = FindValidationFailure(failure);
        Assert.Contains("ClusterTls:CaCertificatePath", validation.Message, StringComparison.Ordinal);
        Assert.Contains("ClusterTls:CertificatePath", validation.Message, StringComparison.Ordinal);
        Assert.Contains("ClusterTls:KeyPath", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionApiClient_WithoutItsKey_RefusesToStart_NamingTheMissingKey()
    {
        await using var nodes = new TlsNodes();
        var settings = certificates.Api.Configuration();
        settings.Remove("ClusterTls:KeyPath");
        var api = nodes.Client(TlsNodes.FreePort(), settings, (client, configuration) => client.UseClusterTls(configuration));

        var failure = await Record.ExceptionAsync(() => api.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        var validation = FindValidationFailure(failure);
        Assert.Contains("ClusterTls:KeyPath is missing", validation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Testing")]
    public void DisabledTls_IsRefused_OutsideDevelopment(string environment)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Validate(ClusterRole.Silo, environment, new() { ["ClusterTls:Disabled"] = "true" }));

        Assert.Contains("ClusterTls:Disabled=true is accepted only in Development", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Development_WithoutCertificates_AndWithoutTheDisabledFlag_IsRefusedToo()
    {
        // Leaving TLS off must be a decision, not an accident of a missing setting.
        var failure = Assert.Throws<OptionsValidationException>(() => Validate(ClusterRole.Silo, "Development", []));

        Assert.Contains("ClusterTls:CaCertificatePath, ClusterTls:CertificatePath, ClusterTls:KeyPath are missing", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledTls_InDevelopment_RunsPlaintext_AndLogsAWarning()
    {
        await using var nodes = new TlsNodes();
        var logs = new CapturedLogs();
        var (_, _, gateway) = await nodes.StartSiloAsync(
            node: null, logs: logs, environment: "Development", settings: new() { ["ClusterTls:Disabled"] = "true" });
        var plaintext = nodes.Client(gateway, [], tls: null);
        await plaintext.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, await TlsNodes.ActiveSilosAsync(plaintext));
        Assert.Contains(logs.Messages, m => m.StartsWith("Warning", StringComparison.Ordinal) && m.Contains("Cluster TLS is DISABLED", StringComparison.Ordinal));
    }

    [Fact]
    public void Silo_ConfiguredWithAnApiCertificate_RefusesToStart()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Validate(ClusterRole.Silo, "Production", certificates.Api.Configuration()));

        Assert.Contains("ClusterTls:CertificatePath", failure.Message, StringComparison.Ordinal);
        Assert.Contains("unfit for a 'silo' node", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_WithACertificateOfAnotherCa_RefusesToStart()
    {
        var mixed = certificates.OtherCaSilo with { CaCertificatePath = certificates.Silo.CaCertificatePath };

        var failure = Assert.Throws<OptionsValidationException>(() => Validate(ClusterRole.Silo, "Production", mixed.Configuration()));

        Assert.Contains("does not chain to the cluster CA", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_WithAKeyThatIsNotTheCertificates_RefusesToStart_NamingBothKeys()
    {
        var mismatched = certificates.Silo with { KeyPath = certificates.Api.KeyPath };

        var failure = Assert.Throws<OptionsValidationException>(() => Validate(ClusterRole.Silo, "Production", mismatched.Configuration()));

        Assert.Contains("ClusterTls:CertificatePath/ClusterTls:KeyPath", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingCaFile_IsNamedWithItsKey()
    {
        var missing = certificates.Silo with { CaCertificatePath = Path.Combine(certificates.Root, "no-such-ca.crt") };

        var failure = Assert.Throws<OptionsValidationException>(() => Validate(ClusterRole.Silo, "Production", missing.Configuration()));

        Assert.Contains("ClusterTls:CaCertificatePath: the file", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]   // the script and its file modes are for Linux hosts
    public void DevCertsScript_KeepsKeysOwnerOnly_AndReusesWhatItMade()
    {
        var directory = Path.Combine(certificates.Root, "dev-certs-" + Guid.NewGuid().ToString("N")[..8]);

        var first = ClusterCertificatesFixture.RunDevCerts(directory);
        var made = File.ReadAllText(Path.Combine(directory, "silo.crt"));
        var second = ClusterCertificatesFixture.RunDevCerts(directory);

        Assert.Contains("making a development cluster CA", first, StringComparison.Ordinal);
        Assert.Equal("", second.Trim());
        Assert.Equal(made, File.ReadAllText(Path.Combine(directory, "silo.crt")));
        foreach (var key in Directory.GetFiles(directory, "*.key"))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        Assert.Equal(ClusterRole.Silo, ClusterRole.Of(ClusterCertificatesFixture.Load(certificates.Silo)));
        Assert.Equal(ClusterRole.Api, ClusterRole.Of(ClusterCertificatesFixture.Load(certificates.Api)));
    }

    private static ClusterTlsOptions Validate(string role, string environment, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environment })
            .AddClusterTls(configuration, role);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ClusterTlsOptions>>().Value;
    }

    /// <summary>The host may wrap the validator's exception; the one that counts is somewhere inside.</summary>
    private static OptionsValidationException FindValidationFailure(Exception? failure)
    {
        for (var current = failure; current is not null; current = current.InnerException)
        {
            if (current is OptionsValidationException validation)
            {
                return validation;
            }

            if (current is AggregateException { InnerExceptions: [var only] })
            {
                current = only;
                if (current is OptionsValidationException inner)
                {
                    return inner;
                }
            }
        }

        throw new Xunit.Sdk.XunitException($"Expected an OptionsValidationException, got: {failure}");
    }
}
