using System.Net;
using System.Net.Http.Headers;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Api;

/// <summary>API.md "Health": no authentication, and the failing dependency is named.</summary>
[Collection(AccountGrainsCluster.Name)]
public sealed class HealthTests(ApiFixture fixture)
{
    [Fact]
    public async Task Health_WithoutAuthentication_IsHealthy_ClusterConnected_DatabaseOperational()
    {
        var response = await fixture.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.ReadJsonAsync();
        Assert.Equal("healthy", body["status"]!.GetValue<string>());
        ContractAssert.UtcTimestamp(body["timestamp"]!.GetValue<string>());
        Assert.Equal("connected", body["services"]!["cluster"]!.GetValue<string>());
        Assert.Equal("operational", body["services"]!["database"]!.GetValue<string>());
        Assert.Null(response.Headers.RetryAfter);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Probe_WithoutAuthentication_Answers200(string path)
    {
        var response = await fixture.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", (await response.ReadJsonAsync())["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Probe_WithAGarbageToken_IsNotChallenged(string path)
    {
        // A load balancer's probe may carry anything; health must not turn into a 401.
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.jwt");

        var response = await fixture.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>API.md "Health" with every silo gone: <c>/health</c> and <c>/health/ready</c> say so, <c>/health/live</c> does not.</summary>
[Collection(ClusterOutageCluster.Name)]
public sealed class HealthDuringOutageTests(ClusterOutageFixture fixture)
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    public async Task Health_WhenClusterIsDown_Is503Unhealthy_NamingTheCluster_WithRetryAfter(string path)
    {
        var response = await fixture.Api.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta is { } delay && delay > TimeSpan.Zero,
            $"503 without a positive Retry-After (got '{response.Headers.RetryAfter}')");
        var body = await response.ReadJsonAsync();
        Assert.Equal("unhealthy", body["status"]!.GetValue<string>());
        ContractAssert.UtcTimestamp(body["timestamp"]!.GetValue<string>());
        Assert.Equal("disconnected", body["services"]!["cluster"]!.GetValue<string>());
        Assert.Equal("operational", body["services"]!["database"]!.GetValue<string>());
    }

    [Fact]
    public async Task Liveness_WhenClusterIsDown_StillAnswers200()
    {
        // Liveness is "the process is up": failing it would make an orchestrator restart a healthy API.
        var response = await fixture.Api.CreateClient().GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", (await response.ReadJsonAsync())["status"]!.GetValue<string>());
    }
}
