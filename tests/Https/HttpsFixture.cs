using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Https;

/// <summary>
/// The HTTPS tests' certificates and cluster, and one API serving scripts/dev-certs.sh's
/// <c>https</c> certificate on an HTTPS port with plain HTTP redirected.
/// </summary>
public sealed class HttpsFixture : IAsyncLifetime
{
    public HttpsCertificates Certificates { get; } = new();

    public TestCluster Cluster { get; private set; } = null!;

    public HttpsApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync(new TestSettings());
        Api = await HttpsApi.StartAsync(Cluster, HttpsApi.Settings(Certificates.Server));
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
        Certificates.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class HttpsTests : ICollectionFixture<HttpsFixture>
{
    public const string Name = "HTTPS at the API";
}
