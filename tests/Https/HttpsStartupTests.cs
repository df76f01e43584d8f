using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Surveillance.Api.Hosting.Https;

namespace Surveillance.Tests.Https;

/// <summary>
/// Security misconfiguration: an API that looks like it serves HTTPS but does not, or serves a
/// certificate clients must reject, refuses to start — in every environment — with a message
/// naming the key. Self-signed certificates are a documented choice: accepted.
/// </summary>
[Collection(HttpsTests.Name)]
public sealed class HttpsStartupTests(HttpsFixture fixture)
{
    private HttpsCertificates Certificates => fixture.Certificates;

    [Fact]
    public void CertificateWithoutItsKey_IsRefused_NamingHttpsKeyPath()
    {
        var failure = Refusal(new() { ["urls"] = "https://127.0.0.1:8443", ["Https:CertificatePath"] = Certificates.Server.Certificate });

        Assert.StartsWith("Https:KeyPath is missing", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyWithoutItsCertificate_IsRefused_NamingHttpsCertificatePath()
    {
        var failure = Refusal(new() { ["urls"] = "https://127.0.0.1:8443", ["Https:KeyPath"] = Certificates.Server.Key });

        Assert.StartsWith("Https:CertificatePath is missing", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void HttpsUrlWithoutACertificate_IsRefused_RatherThanServingADevelopmentCertificate()
    {
        var failure = Refusal(new() { ["urls"] = "https://127.0.0.1:8443;http://127.0.0.1:8080" });

        Assert.Contains("https://127.0.0.1:8443", failure, StringComparison.Ordinal);
        Assert.Contains("Https:CertificatePath and Https:KeyPath are not set", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void CertificateWithoutAnHttpsUrl_IsRefused_TheApiWouldServePlainHttpOnly()
    {
        var failure = Refusal(Settings(Certificates.Server, urls: "http://0.0.0.0:8080"));

        Assert.Contains("listens on no https:// URL", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void PlainHttpOff_WithAnHttpUrl_IsRefused()
    {
        var failure = Refusal(Settings(Certificates.Server, urls: "https://0.0.0.0:8443;http://0.0.0.0:8080", plainHttp: "Off"));

        Assert.Contains("Https:PlainHttp is Off but the API is to listen on http://0.0.0.0:8080", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingKeyFile_IsRefused_NamingTheKeyAndThePath()
    {
        var missing = Path.Combine(Certificates.Root, "no-such.key");

        var failure = Refusal(Settings((Certificates.Server.Certificate, missing)));

        Assert.Equal($"Https:KeyPath: the file '{missing}' does not exist or cannot be read.", failure);
    }

    [Fact]
    public void KeyOfAnotherCertificate_IsRefused()
    {
        var failure = Refusal(Settings((Certificates.Server.Certificate, Certificates.SelfSigned.Key)));

        Assert.Contains("are not a matching PEM certificate and unencrypted private key", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredCertificate_IsRefused()
    {
        Assert.Contains("expired on", Refusal(Settings(Certificates.Expired)), StringComparison.Ordinal);
    }

    [Fact]
    public void NotYetValidCertificate_IsRefused()
    {
        Assert.Contains("is not valid before", Refusal(Settings(Certificates.NotYetValid)), StringComparison.Ordinal);
    }

    [Fact]
    public void ClientOnlyCertificate_IsRefused_AsAServerCertificate()
    {
        Assert.Contains("does not allow serverAuth", Refusal(Settings(Certificates.ClientOnly)), StringComparison.Ordinal);
    }

    [Fact]
    public void Rsa1024Certificate_IsRefused_AsTooWeak()
    {
        Assert.Contains("RSA key of 1024 bits", Refusal(Settings(Certificates.Rsa1024)), StringComparison.Ordinal);
    }

    [Fact]
    public void SelfSignedCertificate_IsAccepted_TrustIsTheClientsDecision()
    {
        Assert.True(Validate(Settings(Certificates.SelfSigned)).Succeeded);
    }

    [Fact]
    public void NoTlsSettings_AndPlainHttpUrls_IsAccepted_TlsIsLeftToAProxy()
    {
        Assert.True(Validate(new() { ["urls"] = "http://0.0.0.0:8080" }).Succeeded);
    }

    [Fact]
    public async Task Api_WithAMissingKeyFile_RefusesToStart()
    {
        var missing = Path.Combine(Certificates.Root, "absent.key");

        var failure = await Record.ExceptionAsync(() =>
            HttpsApi.StartAsync(fixture.Cluster, HttpsApi.Settings((Certificates.Server.Certificate, missing)), environment: "Production"));

        var validation = Assert.IsType<OptionsValidationException>(failure);
        Assert.Contains($"Https:KeyPath: the file '{missing}' does not exist", validation.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings((string Certificate, string Key) pair, string urls = "https://0.0.0.0:8443", string plainHttp = "Off") => new()
    {
        ["urls"] = urls,
        ["Https:CertificatePath"] = pair.Certificate,
        ["Https:KeyPath"] = pair.Key,
        ["Https:PlainHttp"] = plainHttp,
    };

    private static ValidateOptionsResult Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(ApiHttpsOptions.Section).Get<ApiHttpsOptions>() ?? new ApiHttpsOptions();
        return new ApiHttpsOptionsValidator(configuration, TimeProvider.System).Validate(null, options);
    }

    private static string Refusal(Dictionary<string, string?> settings)
    {
        var result = Validate(settings);
        Assert.True(result.Failed, "the settings were accepted");
        return result.FailureMessage;
    }
}
