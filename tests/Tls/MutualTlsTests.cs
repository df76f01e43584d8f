using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;

namespace Surveillance.Tests.Tls;

/// <summary>
/// The cluster's back door (issue 11): the silo and gateway ports must admit only holders of a
/// certificate of the cluster CA with the right role. Every test here runs real silos and
/// clients over loopback TCP with TLS; the refused ones must be unable to call any grain.
/// </summary>
[Collection(ClusterTlsTests.Name)]
public sealed class MutualTlsTests(ClusterCertificatesFixture certificates)
{
    [Fact]
    public async Task SiloAndApiClient_WithClusterCertificates_ConnectAndCallGrains()
    {
        await using var nodes = new TlsNodes();
        var (_, _, gateway) = await nodes.StartSiloAsync(certificates.Silo);
        var api = nodes.ApiClient(gateway, certificates.Api);

        await api.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, await TlsNodes.ActiveSilosAsync(api));
    }

    [Fact]
    public async Task SecondSilo_WithASiloCertificate_JoinsOverTls_AndBothServeGrains()
    {
        await using var nodes = new TlsNodes();
        var (_, primary, gateway) = await nodes.StartSiloAsync(certificates.Silo);
        var (_, _, secondGateway) = await nodes.StartSiloAsync(certificates.Silo, primary);

        var viaFirst = nodes.ApiClient(gateway, certificates.Api);
        var viaSecond = nodes.ApiClient(secondGateway, certificates.Api);
        await viaFirst.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await viaSecond.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, await TlsNodes.ActiveSilosAsync(viaFirst));
        Assert.Equal(2, await TlsNodes.ActiveSilosAsync(viaSecond));
    }

    [Fact]
    public async Task PlaintextClient_WithNoTlsAtAll_IsRefused_AndCallsNoGrain()
    {
        // The state before this issue: any client that knew the cluster id was in.
        await AssertRefusedAsync(tls: null);
    }

    [Fact]
    public async Task TlsClient_WithNoCertificate_IsRefused_AndCallsNoGrain()
    {
        await AssertRefusedAsync((client, _) => client.UseTls(o =>
        {
            o.ClientCertificateMode = RemoteCertificateMode.NoCertificate;
            o.RemoteCertificateMode = RemoteCertificateMode.AllowCertificate;
            o.AllowAnyRemoteCertificate();
        }));
    }

    [Fact]
    public async Task ClientWithASelfSignedApiCertificate_IsRefused_AndCallsNoGrain()
    {
        await AssertRefusedAsync(AttackerTls(certificates.SelfSignedApi), "does not chain to the cluster CA");
    }

    [Fact]
    public async Task ClientWithAnApiCertificateOfAnotherCa_IsRefused_AndCallsNoGrain()
    {
        await AssertRefusedAsync(AttackerTls(certificates.OtherCaApi), "does not chain to the cluster CA");
    }

    [Fact]
    public async Task ClientWithASiloCertificateOfAnotherCa_IsRefused_AndCallsNoGrain()
    {
        await AssertRefusedAsync(AttackerTls(certificates.OtherCaSilo), "does not chain to the cluster CA");
    }

    [Fact]
    public async Task ApiCertificate_TryingToJoinAsASilo_IsRefusedOnTheSiloPort_AndTheClusterStaysOneSilo()
    {
        // A stolen API certificate (an API pod is the most exposed node) must not let its holder
        // run a silo: a silo receives grain activations, state and secrets. The rogue silo uses
        // the API certificate for its connections to the cluster; its own listener needs some
        // server certificate, so it brings a self-signed one.
        await using var nodes = new TlsNodes();
        var logs = new CapturedLogs();
        var (_, primary, gateway) = await nodes.StartSiloAsync(certificates.Silo, logs: logs);
        var apiCertificate = ClusterCertificatesFixture.Load(certificates.Api);
        var ownServerCertificate = ClusterCertificatesFixture.Load(certificates.SelfSignedSilo);

        var joining = Record.ExceptionAsync(() => nodes.StartSiloAsync(null, primary, tlsOverride: silo => silo.UseTls(o =>
        {
            o.LocalServerCertificateSelector = (_, _) => ownServerCertificate;
            o.LocalCertificate = apiCertificate;
            o.LocalClientCertificateSelector = (_, _, _, _, _) => apiCertificate;
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.AllowAnyRemoteCertificate();
        })));

        Assert.NotNull(await joining);
        Assert.Contains(logs.Messages, m => m.Contains("silo port", StringComparison.Ordinal) && m.Contains("role (OU) is 'api'", StringComparison.Ordinal));
        var api = nodes.ApiClient(gateway, certificates.Api);
        await api.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await TlsNodes.ActiveSilosAsync(api));
    }

    [Fact]
    public async Task ApiCertificate_ConnectingAsAClient_IsAdmittedAtTheGateway_ButNotOnTheSiloPort()
    {
        // The same API certificate that the gateway admits is refused by the silo port: the role
        // check is per link, not one list for the whole silo.
        await using var nodes = new TlsNodes();
        var logs = new CapturedLogs();
        var (_, siloPort, _) = await nodes.StartSiloAsync(certificates.Silo, logs: logs);
        var api = nodes.ApiClient(siloPort, certificates.Api);

        var failure = await Record.ExceptionAsync(() => api.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.NotNull(failure);
        Assert.Contains(logs.Messages, m => m.Contains("silo port", StringComparison.Ordinal) && m.Contains("role (OU) is 'api'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApiClient_RefusesAGatewayWithoutASiloCertificateOfTheCluster()
    {
        // The other direction: a fake gateway (here one with another CA's silo certificate) must
        // not receive the API's calls, which carry passwords and video keys.
        await using var nodes = new TlsNodes();
        var (_, _, gateway) = await nodes.StartSiloAsync(certificates.OtherCaSilo);
        var api = nodes.ApiClient(gateway, certificates.Api);

        var failure = await Record.ExceptionAsync(() => api.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.NotNull(failure);
    }

    private static Action<IClientBuilder, IConfiguration> AttackerTls(NodeCertificate node)
    {
        // An attacker writes their own client: it presents its certificate and trusts anything.
        var certificate = ClusterCertificatesFixture.Load(node);
        return (client, _) => client.UseTls(certificate, o =>
        {
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.AllowAnyRemoteCertificate();
        });
    }

    /// <param name="tls">The attacker's TLS wiring (null: plaintext).</param>
    /// <param name="reason">What the silo must log as the refusal reason, when the certificate reached the check.</param>
    private async Task AssertRefusedAsync(Action<IClientBuilder, IConfiguration>? tls, string? reason = null)
    {
        await using var nodes = new TlsNodes();
        var logs = new CapturedLogs();
        var (_, _, gateway) = await nodes.StartSiloAsync(certificates.Silo, logs: logs);
        var attacker = nodes.Client(gateway, [], tls);

        var connecting = await Record.ExceptionAsync(() => attacker.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        var calling = await Record.ExceptionAsync(() => TlsNodes.ActiveSilosAsync(attacker));

        Assert.NotNull(connecting);
        Assert.NotNull(calling);
        if (reason is not null)
        {
            Assert.Contains(logs.Messages, m => m.Contains("gateway", StringComparison.Ordinal) && m.Contains(reason, StringComparison.Ordinal));
        }

        // The control: the same silo serves a client with the cluster's API certificate.
        var api = nodes.ApiClient(gateway, certificates.Api);
        await api.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await TlsNodes.ActiveSilosAsync(api));
    }
}
