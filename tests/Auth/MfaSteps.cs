using System.Net;
using System.Net.Http.Json;
using OtpNet;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>The client's side of TOTP: codes computed from the secret with Otp.NET, as an authenticator app would.</summary>
public static class MfaSteps
{
    public const string Password = TestSettings.UserPassword;

    /// <summary>The code of the current 30-second step, shifted by <paramref name="steps"/>.</summary>
    public static string Code(string base32Secret, int steps = 0) =>
        new Totp(Base32Encoding.ToBytes(base32Secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * steps));

    public static async Task<string> EnrollAsync(HttpClient http, string token)
    {
        var response = await http.SendAsync(HttpMethod.Post, "/auth/mfa/totp/enroll", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())["secret"]!.GetValue<string>();
    }

    public static async Task<IReadOnlyList<string>> ConfirmAsync(HttpClient http, string token, string code)
    {
        var response = await http.SendAsync(HttpMethod.Post, "/auth/mfa/totp/confirm", token, new { code });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
    }

    /// <summary>A user with MFA on: its secret, the code that confirmed it and its recovery codes.</summary>
    public static async Task<(string Username, string Secret, string FirstCode, IReadOnlyList<string> RecoveryCodes)> UserWithMfaAsync(
        HttpClient http, string adminToken, params string[] roles)
    {
        var username = await http.CreateUserAsync(adminToken, password: Password, roles: roles);
        var token = await http.LoginAsync(username, Password);
        var secret = await EnrollAsync(http, token);
        var first = Code(secret);
        return (username, secret, first, await ConfirmAsync(http, token, first));
    }

    /// <summary>The first step for an account with MFA on: the <c>mfa_token</c>.</summary>
    public static async Task<string> PasswordStepAsync(HttpClient http, string username, string? clientIp = null)
    {
        var response = await http.PostLoginAsync(username, Password, clientIp);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.True(body["mfa_required"]!.GetValue<bool>());
        Assert.Null(body["access_token"]);
        Assert.Equal(300, body["expires_in"]!.GetValue<int>());
        return body["mfa_token"]!.GetValue<string>();
    }

    public static Task<HttpResponseMessage> VerifyAsync(HttpClient http, string mfaToken, string code, string? clientIp = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth/mfa/verify")
        {
            Content = JsonContent.Create(new { mfa_token = mfaToken, code }),
        };
        if (clientIp is not null)
        {
            request.Headers.Add(ApiHost.ClientIpHeader, clientIp);
        }

        return http.SendAsync(request);
    }

    public static async Task<string> AccessTokenAsync(HttpResponseMessage verified)
    {
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var body = await verified.ReadJsonAsync();
        Assert.Equal("bearer", body["token_type"]!.GetValue<string>());
        return body["access_token"]!.GetValue<string>();
    }
}
