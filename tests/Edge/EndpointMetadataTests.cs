using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Surveillance.Api.Audit;
using Surveillance.Api.Edge;
using Surveillance.Api.Http;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Edge;

/// <summary>
/// The rate rule, the audit treatment and the cache policy of a request are its endpoint's metadata
/// (issue 17). API.md states them by path; these tests hold every mapped route to that table, so an
/// endpoint added without its metadata (an admin route left cacheable, a login route under the
/// default limit) fails here rather than in production.
/// </summary>
public sealed class EndpointMetadataTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    [Fact]
    public void EveryRoute_CarriesTheRateRuleAuditAndCachePolicy_ApiMdGivesItsPath()
    {
        var routes = fixture.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.Contains(routes, r => Path(r) == "/auth/login");

        foreach (var route in routes)
        {
            var path = Path(route);
            bool Under(string prefix) =>
                path.Equals(prefix, StringComparison.OrdinalIgnoreCase) || path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase);

            // API.md "Rate limits"
            var expectedRule = Under("/health") ? null
                : Under("/surveillance/upload") ? RateRules.Upload
                : Under("/surveillance/search") ? RateRules.Search
                : Under("/auth/login") || Under("/auth/mfa/verify") ? RateRules.Login
                : Under("/surveillance/frame") ? RateRules.Frames
                : RateRules.Default;
            var rule = route.Metadata.GetMetadata<RateRuleMetadata>() is { } declared ? declared.Rule : RateRules.Default;
            Assert.True(expectedRule == rule, $"{path}: rate rule '{rule ?? "none"}', API.md says '{expectedRule ?? "none"}'");

            // API.md "Headers on every response" and "Audit"
            var security = Under("/auth") || Under("/admin");
            Assert.True(security == (CachePolicyMetadata.Of(route.Metadata) == CachePolicy.NoStore), $"{path}: Cache-Control no-store must be exactly /auth/* and /admin/*");
            Assert.True(security == (route.Metadata.GetMetadata<SecurityAuditMetadata>() is not null), $"{path}: security audit must be exactly /auth/* and /admin/*");
            var recordsEvery = Under("/admin") || Under("/auth/login") || Under("/surveillance/upload");
            Assert.True(recordsEvery == (route.Metadata.GetMetadata<AuditEveryRequestMetadata>() is not null), $"{path}: every request recorded must be exactly login, upload and /admin/*");
        }
    }

    [Fact]
    public async Task ProbeOfAnUnmappedAdminPath_IsNeverCached_AndCountsUnderTheDefaultRule()
    {
        var response = await fixture.CreateClient().GetFromAsync(EdgeFixture.NewIp(), "/admin/no-such-console");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control was '{response.Headers.CacheControl}'");
        Assert.Equal(EdgeFixture.DefaultLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Assert.Single(response.Headers.GetValues("X-RateLimit-Limit")));
    }

    private static string Path(RouteEndpoint route) => "/" + (route.RoutePattern.RawText ?? "").TrimStart('/');
}
