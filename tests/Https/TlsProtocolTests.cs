using System.Net;
using System.Net.Security;
using System.Security.Authentication;

namespace Surveillance.Tests.Https;

/// <summary>
/// Downgrade attacks on the API's own TLS: a client (or a man in the middle rewriting its hello)
/// that offers only SSL 3, TLS 1.0 or 1.1, or only CBC cipher suites, gets no session; TLS 1.2 and
/// 1.3 get one with an AEAD suite, and ALPN gives HTTP/2. The legacy hellos are written byte by
/// byte (<see cref="RawClientHello"/>) because the machine's OpenSSL would not send them; the same
/// hello with modern suites is answered, which shows the probe itself is sound.
/// </summary>
[Collection(HttpsTests.Name)]
public sealed class TlsProtocolTests(HttpsFixture fixture)
{
    private static readonly TlsCipherSuite[] MozillaIntermediate =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    [Theory]
    [InlineData(RawClientHello.Ssl30)]
    [InlineData(RawClientHello.Tls10)]
    [InlineData(RawClientHello.Tls11)]
    public async Task DowngradeToALegacyProtocol_Ssl3Tls10Tls11_GetsNoServerHello(ushort version)
    {
        var answer = await RawClientHello.SendAsync(fixture.Api.HttpsPort, version, RawClientHello.LegacySuites);

        Assert.NotEqual(RawClientHello.Outcome.ServerHello, answer.Outcome);
    }

    [Fact]
    public async Task ModernTls12Hello_WrittenTheSameWay_GetsAServerHello_SoTheLegacyRefusalsAreReal()
    {
        var answer = await RawClientHello.SendAsync(fixture.Api.HttpsPort, RawClientHello.Tls12, RawClientHello.AeadSuites);

        Assert.Equal(new RawClientHello.Answer(RawClientHello.Outcome.ServerHello, RawClientHello.Tls12), answer);
    }

    [Fact]
    public async Task DowngradeToCbcCipherSuites_InTls12_GetsNoServerHello()
    {
        // Lucky13-style padding oracles and SHA-1 MACs: CBC suites are not in Mozilla's intermediate list.
        var answer = await RawClientHello.SendAsync(fixture.Api.HttpsPort, RawClientHello.Tls12, RawClientHello.CbcSuites);

        Assert.NotEqual(RawClientHello.Outcome.ServerHello, answer.Outcome);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Tls12AndTls13_AreAccepted_WithAnAeadSuiteOfMozillasIntermediateList(SslProtocols protocol)
    {
        await using var tls = await fixture.Api.HandshakeAsync(fixture.Certificates.Ca, protocol);

        Assert.Equal(protocol, tls.SslProtocol);
        Assert.Contains(tls.NegotiatedCipherSuite, MozillaIntermediate);
    }

    [Fact]
    public async Task Alpn_OffersHttp2_AndTheServerChoosesIt()
    {
        await using var tls = await fixture.Api.HandshakeAsync(fixture.Certificates.Ca, SslProtocols.Tls13, SslApplicationProtocol.Http2, SslApplicationProtocol.Http11);

        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
    }

    [Fact]
    public async Task Http2Request_OverTls_IsServed_WithHsts()
    {
        using var client = HttpsApi.Client(fixture.Certificates.Ca, HttpVersion.Version20);

        using var response = await client.GetAsync(new Uri(fixture.Api.HttpsBase, "/health/live"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("max-age=31536000; includeSubDomains", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")));
    }
}
