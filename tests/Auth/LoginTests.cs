using System.Net;
using System.Net.Http.Json;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

[Collection(LoginAndSessionCluster.Name)]
public sealed class LoginTests(ApiFixture fixture)
{
    [Fact]
    public async Task BootstrapAdmin_LogsIn_WithJsonBody_AndGetsTheContractShape()
    {
        var response = await fixture.CreateClient().PostLoginAsync("admin", TestSettings.AdminPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("bearer", body["token_type"]!.GetValue<string>());
        Assert.Equal(3600, body["expires_in"]!.GetValue<int>());
        Assert.Equal("admin", body["user"]!["username"]!.GetValue<string>());
        Assert.Equal(["admin"], body["user"]!["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Login_AcceptsTheOAuth2PasswordForm()
    {
        var response = await fixture.CreateClient().PostAsync("/auth/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = "ADMIN",
            ["password"] = TestSettings.AdminPassword,
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await response.ReadJsonAsync())["access_token"]?.GetValue<string>()));
    }

    [Fact]
    public async Task UserEnumeration_UnknownUserAndWrongPassword_GetTheSameAnswer()
    {
        var http = fixture.CreateClient();
        var unknown = await (await http.PostLoginAsync("nobody-here", "some password 123")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var wrong = await (await http.PostLoginAsync("admin", "not the password")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var malformed = await (await http.PostLoginAsync("Not A Valid Name!", "whatever password")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        Assert.Equal("Incorrect username or password", unknown["detail"]!.GetValue<string>());
        Assert.Equal(unknown["detail"]!.ToString(), wrong["detail"]!.ToString());
        Assert.Equal(unknown["detail"]!.ToString(), malformed["detail"]!.ToString());
    }

    [Fact]
    public async Task Login_WithoutPassword_Is400_NamingTheField()
    {
        var response = await fixture.CreateClient().PostAsJsonAsync("/auth/login", new { username = "admin" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("password", problem["detail"]!.GetValue<string>());
    }
}
