using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Surveillance.Api.Edge;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>The edge's limits with local admission on (half of each limit admitted by the instances themselves).</summary>
public sealed class LocalAdmissionFixture : EdgeFixture
{
    public const int Limit = 12;

    protected override TestSettings CreateSettings()
    {
        var overrides = Overrides();
        overrides["RateLimiting:LocalAdmissionShare"] = "0.5";
        overrides["RateLimiting:Rules:default:Limit"] = $"{Limit}";
        return new TestSettings { Overrides = overrides };
    }
}

/// <summary>
/// Issue 10: an address never seen before costs no grain call for its first requests — each of N API
/// instances admits up to floor(limit × share / N) on its own — and the cluster-wide limit still holds
/// exactly, because the grain keeps those N shares back.
/// </summary>
public sealed class LocalAdmissionTests(LocalAdmissionFixture fixture) : IClassFixture<LocalAdmissionFixture>
{
    [Fact]
    public async Task AddressRotation_AnUnseenClientsFirstRequest_CostsNoGrainCall()
    {
        var ip = EdgeFixture.NewIp();

        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.CreateClient().GetFromAsync(ip, EdgeRequests.Me)).StatusCode);

        Assert.Equal(0, await fixture.UsedAsync(ip, "default"));
    }

    [Fact]
    public async Task LocalAdmission_ThroughTwoApiInstances_KeepsTheClusterWideLimitExact()
    {
        await using var other = new ApiHost(fixture.Cluster);
        var instances = new[] { fixture.Api, other };
        var clients = instances.Select(i => i.CreateClient()).ToArray();
        foreach (var http in clients)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetFromAsync(EdgeFixture.NewIp(), EdgeRequests.Me)).StatusCode);
        }

        // Both instances know there are two of them (their subscriptions renew every 2 s).
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (instances.Any(i => i.Services.GetRequiredService<BlockList>().Instances != 2) && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.All(instances, i => Assert.Equal(2, i.Services.GetRequiredService<BlockList>().Instances));
        var ip = EdgeFixture.NewIp();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * LocalAdmissionFixture.Limit; i++)
        {
            answers.Add((await clients[i % 2].GetFromAsync(ip, EdgeRequests.Me)).StatusCode);
        }

        Assert.Equal(LocalAdmissionFixture.Limit, answers.Count(a => a == HttpStatusCode.Unauthorized));
        Assert.Equal(2 * LocalAdmissionFixture.Limit, answers.Count(a => a == HttpStatusCode.TooManyRequests));
    }
}
