using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Surveillance.Tests.Infrastructure;

/// <summary>Small helpers over <see cref="HttpClient"/> that read the API's snake_case JSON.</summary>
public static class ApiClient
{
    public static async Task<string> LoginAsync(this HttpClient http, string username, string password, string? clientIp = null)
    {
        var response = await http.PostLoginAsync(username, password, clientIp);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())["access_token"]!.GetValue<string>();
    }

    public static Task<HttpResponseMessage> PostLoginAsync(this HttpClient http, string username, string password, string? clientIp = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login")
        {
            Content = JsonContent.Create(new { username, password }),
        };
        if (clientIp is not null)
        {
            request.Headers.Add(ApiHost.ClientIpHeader, clientIp);
        }

        return http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SendAsync(this HttpClient http, HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return http.SendAsync(request);
    }

    /// <summary>Sends a body exactly as given (malformed JSON included), with the content type given.</summary>
    public static Task<HttpResponseMessage> SendRawAsync(this HttpClient http, HttpMethod method, string path, string? token, string body, string contentType)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, contentType) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http.SendAsync(request);
    }

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new JsonException("empty body");

    /// <summary>Asserts a problem+json with the given status and <c>error_code</c>, and every member API.md requires.</summary>
    public static async Task<JsonNode> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(errorCode, problem["error_code"]?.GetValue<string>());
        Assert.Equal((int)status, problem["status"]?.GetValue<int>());
        foreach (var member in new[] { "type", "title", "detail", "request_id", "timestamp", "path" })
        {
            Assert.False(string.IsNullOrEmpty(problem[member]?.ToString()), $"problem+json lacks '{member}'");
        }

        return problem;
    }

    /// <summary>Creates a user through the admin API and returns its username.</summary>
    public static async Task<string> CreateUserAsync(this HttpClient http, string adminToken, string? username = null,
        string password = TestSettings.UserPassword, params string[] roles)
    {
        username ??= "user" + Guid.NewGuid().ToString("N")[..10];
        var response = await http.SendAsync(HttpMethod.Post, "/admin/users", adminToken,
            new { username, password, email = $"{username}@example.test", roles });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return username;
    }
}
