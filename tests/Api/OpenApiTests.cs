using System.Net;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Api;

/// <summary>The published OpenAPI document describes every endpoint of API.md's auth and user administration.</summary>
[Collection(AccountGrainsCluster.Name)]
public sealed class OpenApiTests(ApiFixture fixture)
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "/auth/login", "post" },
        { "/auth/logout", "post" },
        { "/auth/me", "get" },
        { "/auth/change-password", "post" },
        { "/admin/users", "get" },
        { "/admin/users", "post" },
        { "/admin/users/{username}", "get" },
        { "/admin/users/{username}", "patch" },
        { "/admin/users/{username}", "delete" },
        { "/admin/users/{username}/reset-password", "post" },
    };

    [Fact]
    public async Task OpenApiDocument_IsServedAsJson_WithoutAuthentication()
    {
        var response = await fixture.CreateClient().GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = await response.ReadJsonAsync();
        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEmpty(document["paths"]!.AsObject());
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task OpenApiDocument_DescribesEveryEndpoint(string path, string method)
    {
        var document = await (await fixture.CreateClient().GetAsync("/openapi/v1.json")).ReadJsonAsync();

        var paths = document["paths"]!.AsObject();
        Assert.True(paths.ContainsKey(path), $"'{path}' is missing; the document has: {string.Join(", ", paths.Select(p => p.Key))}");
        Assert.True(paths[path]!.AsObject().ContainsKey(method), $"'{method.ToUpperInvariant()} {path}' is missing");
    }
}
