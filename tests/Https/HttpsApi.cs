using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Surveillance.Api.Hosting;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Tls;

namespace Surveillance.Tests.Https;

/// <summary>
/// The real API (<see cref="ApiHostingExtensions"/>, as Program.cs wires it) on Kestrel and real
/// loopback sockets — TestServer has no TLS — in front of a <see cref="TestCluster"/>.
/// </summary>
public sealed class HttpsApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpsApi(WebApplication app, int httpsPort, int httpPort)
    {
        _app = app;
        HttpsPort = httpsPort;
        HttpPort = httpPort;
    }

    public int HttpsPort { get; }

    public int HttpPort { get; }

    /// <summary>The addresses Kestrel actually listens on.</summary>
    public IReadOnlyCollection<string> Addresses => [.. _app.Urls];

    public Uri HttpsBase => new($"https://127.0.0.1:{HttpsPort}");

    public Uri HttpBase => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>
    /// Starts the API with <paramref name="settings"/> on top of the cluster's; <c>{https}</c> and
    /// <c>{http}</c> in a setting's value become two free ports (e.g. <c>urls</c>).
    /// </summary>
    public static async Task<HttpsApi> StartAsync(TestCluster cluster, Dictionary<string, string?> settings, string environment = "Testing", CapturedLogs? logs = null)
    {
        var (httpsPort, httpPort) = (TlsNodes.FreePort(), TlsNodes.FreePort());
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(cluster.Settings.ApiConfiguration());
        builder.Configuration.AddInMemoryCollection(settings.ToDictionary(
            s => s.Key,
            s => s.Value?.Replace("{https}", $"{httpsPort}", StringComparison.Ordinal).Replace("{http}", $"{httpPort}", StringComparison.Ordinal)));
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.AddSurveillanceApi();
        builder.Services.AddSingleton(cluster.Client);
        builder.Services.AddSingleton<IGrainFactory>(cluster.Client);
        var app = builder.Build();
        try
        {
            app.UseSurveillanceApi();
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new HttpsApi(app, httpsPort, httpPort);
    }

    /// <summary>The TLS settings of an API on both ports: the certificate pair, HTTPS and HTTP listeners, plain HTTP redirected.</summary>
    public static Dictionary<string, string?> Settings((string Certificate, string Key) pair, string plainHttp = "Redirect", string urls = "https://127.0.0.1:{https};http://127.0.0.1:{http}") => new()
    {
        ["urls"] = urls,
        ["Https:CertificatePath"] = pair.Certificate,
        ["Https:KeyPath"] = pair.Key,
        ["Https:PlainHttp"] = plainHttp,
    };

    /// <summary>An HTTP client that trusts only <paramref name="ca"/> (the host name is checked as usual).</summary>
    public static HttpClient Client(X509Certificate2 ca, Version? version = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = TrustOnly(ca) },
        };
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        if (version is not null)
        {
            client.DefaultRequestVersion = version;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }

    public static X509ChainPolicy TrustOnly(X509Certificate2 ca)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(ca);
        return policy;
    }

    /// <summary>A bare TLS handshake with the HTTPS port, trusting <paramref name="ca"/> (null: any certificate); the caller disposes the stream.</summary>
    public async Task<SslStream> HandshakeAsync(X509Certificate2? ca, SslProtocols protocols, params SslApplicationProtocol[] alpn)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", HttpsPort);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            EnabledSslProtocols = protocols,
            ApplicationProtocols = alpn.Length > 0 ? [.. alpn] : null,
            CertificateChainPolicy = ca is null ? null : TrustOnly(ca),
            RemoteCertificateValidationCallback = ca is null ? (_, served, _, _) => served is not null : null,
        }).WaitAsync(TimeSpan.FromSeconds(30));
        return tls;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        await _app.DisposeAsync();
    }
}
