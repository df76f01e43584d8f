using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>
/// Every way of presenting a token the API did not issue, or issued under other terms, answers
/// 401 <c>UNAUTHORIZED</c> with a Bearer challenge (API.md, Authentication: <c>iss</c>, <c>aud</c>,
/// <c>exp</c>, <c>nbf</c> and the signature validated, <c>alg</c> pinned, revoked <c>jti</c> refused).
/// The forgeries start from a real viewer token, and the controls prove the forging itself works,
/// so each refusal is due to the one thing a test changes.
/// </summary>
public sealed class ForgedTokenTests(ForgedTokenFixture fixture) : IClassFixture<ForgedTokenFixture>
{
    private const string Me = "/auth/me";

    private byte[] RightKey => Encoding.UTF8.GetBytes(fixture.Cluster.Settings.JwtSecret);

    [Fact]
    public async Task RealToken_IsAccepted_TheControlForEveryForgery()
    {
        var real = await fixture.ViewerAsync();

        var response = await SendAsync(Me, "Bearer " + real.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(real.Username, (await response.ReadJsonAsync())["username"]!.GetValue<string>());
        // The hand-signing used below reproduces the API's own signature byte for byte.
        Assert.Equal(real.Signature, Sign(real.Header, real.Payload, "HS256", RightKey));
    }

    [Fact]
    public async Task ForgeryControl_RightKeyLiveJtiValidClaims_IsAccepted()
    {
        var real = await fixture.ViewerAsync();

        var response = await SendAsync(Me, "Bearer " + Forge(real, _ => { }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(real.Username, (await response.ReadJsonAsync())["username"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    public async Task ForgedToken_AlgNone_Unsigned_IsRejected(string alg)
    {
        var real = await fixture.ViewerAsync();
        var unsigned = $"{Encode(new JsonObject { ["alg"] = alg, ["typ"] = "JWT" })}.{real.Payload}.";

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + unsigned), invalidToken: true);
    }

    [Fact]
    public async Task ForgedToken_AlgNone_KeepingTheRealSignature_IsRejected()
    {
        var real = await fixture.ViewerAsync();
        var token = $"{Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{real.Payload}.{real.Signature}";

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Theory]
    [InlineData("HS384")]
    [InlineData("HS512")]
    public async Task ForgedToken_OtherHmacAlgorithm_WithTheRightKey_IsRejected_BecauseAlgIsPinned(string alg)
    {
        var real = await fixture.ViewerAsync();
        var header = Encode(new JsonObject { ["alg"] = alg, ["typ"] = "JWT" });
        var token = $"{header}.{real.Payload}.{Sign(header, real.Payload, alg, RightKey)}";

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task ForgedToken_SignedWithAWrongKey_IsRejected()
    {
        var real = await fixture.ViewerAsync();
        var wrongKey = RandomNumberGenerator.GetBytes(64);
        var token = $"{real.Header}.{real.Payload}.{Sign(real.Header, real.Payload, "HS256", wrongKey)}";

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task ForgedToken_ViewerPayloadTamperedToAdmin_SignatureKept_IsRejected()
    {
        var real = await fixture.ViewerAsync();
        var payload = real.Claims();
        payload["roles"] = new JsonArray("admin");
        var token = $"{real.Header}.{Encode(payload)}.{real.Signature}";

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
        // Were the tampered roles believed, this would be 200; refusing it as 403 would mean they were read.
        await AssertRefusedAsync(await SendAsync("/admin/users", "Bearer " + token), invalidToken: true);
    }

    [Theory]
    [InlineData("sub")]
    [InlineData("exp")]
    [InlineData("jti")]
    public async Task ForgedToken_OtherClaimTampered_SignatureKept_IsRejected(string claim)
    {
        var real = await fixture.ViewerAsync();
        var payload = real.Claims();
        payload[claim] = claim switch
        {
            "sub" => JsonValue.Create("admin"),
            "exp" => JsonValue.Create(DateTimeOffset.UtcNow.AddYears(10).ToUnixTimeSeconds()),
            _ => JsonValue.Create(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))),
        };
        var token = $"{real.Header}.{Encode(payload)}.{real.Signature}";

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task ExpiredToken_BeyondTheClockSkew_IsRejected()
    {
        var real = await fixture.ViewerAsync();
        var now = DateTime.UtcNow;
        var token = Forge(real, d =>
        {
            d.IssuedAt = now.AddHours(-2);
            d.NotBefore = now.AddHours(-2);
            d.Expires = now.AddMinutes(-1);
        });

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task TokenWithoutExp_IsRejected_SoNoTokenLivesForever()
    {
        var real = await fixture.ViewerAsync();
        var payload = real.Claims();
        payload.Remove("exp");
        var body = Encode(payload);
        var token = $"{real.Header}.{body}.{Sign(real.Header, body, "HS256", RightKey)}";

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task NotYetValidToken_NbfInTheFuture_IsRejected()
    {
        var real = await fixture.ViewerAsync();
        var now = DateTime.UtcNow;
        var token = Forge(real, d =>
        {
            d.IssuedAt = now;
            d.NotBefore = now.AddMinutes(10);
            d.Expires = now.AddHours(1);
        });

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task TokenWithAWrongIssuer_IsRejected()
    {
        var real = await fixture.ViewerAsync();

        var token = Forge(real, d => d.Issuer = "someone-else");

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task TokenWithAWrongAudience_IsRejected()
    {
        var real = await fixture.ViewerAsync();

        var token = Forge(real, d => d.Audience = "another-api");

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task TokenWhoseJtiWasNeverIssued_IsRejected_EvenWithTheRightKey()
    {
        var real = await fixture.ViewerAsync();
        var neverIssued = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        var token = Forge(real, d => d.Claims["jti"] = neverIssued);

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task TokenWithoutJti_IsRejected_EvenWithTheRightKey()
    {
        var real = await fixture.ViewerAsync();

        var token = Forge(real, d => d.Claims.Remove("jti"));

        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Fact]
    public async Task OversizedToken_20KB_IsRejected_EvenWhenOtherwiseValid()
    {
        var real = await fixture.ViewerAsync();

        var token = Forge(real, d => d.Claims["pad"] = new string('a', 20 * 1024));

        Assert.True(token.Length > 20 * 1024);
        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + token), invalidToken: true);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("..")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl")]
    [InlineData("%00%0d%0a'\"<script>")]
    public async Task GarbageToken_IsRejected(string garbage)
    {
        await AssertRefusedAsync(await SendAsync(Me, "Bearer " + garbage), invalidToken: true);
    }

    [Fact]
    public async Task MissingAuthorizationHeader_IsRejected_WithABearerChallenge()
    {
        await AssertRefusedAsync(await SendAsync(Me, authorization: null), invalidToken: false);
    }

    [Fact]
    public async Task BasicAuthorization_WithTheAdminsRealCredentials_IsRejected()
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + TestSettings.AdminPassword));

        await AssertRefusedAsync(await SendAsync(Me, "Basic " + basic), invalidToken: false);
        await AssertRefusedAsync(await SendAsync("/admin/users", "Basic " + basic), invalidToken: false);
    }

    /// <summary>A token carrying the real session's subject and live jti, signed HS256 with <paramref name="key"/> (the API's by default).</summary>
    private string Forge(RealToken real, Action<SecurityTokenDescriptor> change, byte[]? key = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = "surveillance",
            Audience = "surveillance-api",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(30),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? RightKey), SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = real.Username,
                ["jti"] = real.TokenId,
                ["roles"] = new[] { "viewer" },
                ["email"] = real.Email,
            },
        };
        change(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static string Sign(string header, string payload, string alg, byte[] key)
    {
        var input = Encoding.ASCII.GetBytes($"{header}.{payload}");
        var mac = alg switch
        {
            "HS256" => HMACSHA256.HashData(key, input),
            "HS384" => HMACSHA384.HashData(key, input),
            "HS512" => HMACSHA512.HashData(key, input),
            _ => throw new ArgumentOutOfRangeException(nameof(alg), alg, "not an HMAC algorithm"),
        };
        return Base64Url.EncodeToString(mac);
    }

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private Task<HttpResponseMessage> SendAsync(string path, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
        }

        return fixture.CreateClient().SendAsync(request);
    }

    /// <summary>401 problem+json <c>UNAUTHORIZED</c> with a Bearer challenge; RFC 6750 §3.1 <c>invalid_token</c> when a token was sent.</summary>
    private static async Task AssertRefusedAsync(HttpResponseMessage response, bool invalidToken)
    {
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        if (invalidToken)
        {
            Assert.Contains("invalid_token", challenge.Parameter ?? "");
        }
    }
}

/// <summary>The class's cluster and API, and one real viewer session that every forgery starts from.</summary>
public sealed class ForgedTokenFixture : ApiFixture
{
    private readonly Lazy<Task<RealToken>> _viewer;

    public ForgedTokenFixture() => _viewer = new(LogInViewerAsync);

    /// <summary>A token the API issued at login to a viewer; no test revokes it.</summary>
    public Task<RealToken> ViewerAsync() => _viewer.Value;

    private async Task<RealToken> LogInViewerAsync()
    {
        var http = CreateClient();
        var username = await http.CreateUserAsync(await AdminTokenAsync());
        var token = await http.LoginAsync(username, TestSettings.UserPassword);
        return RealToken.Parse(token);
    }
}

/// <summary>A real token and its three base64url parts.</summary>
public sealed record RealToken(string Token, string Header, string Payload, string Signature)
{
    public static RealToken Parse(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        return new RealToken(token, parts[0], parts[1], parts[2]);
    }

    /// <summary>A fresh, editable copy of the payload.</summary>
    public JsonObject Claims() => JsonNode.Parse(Base64Url.DecodeFromChars(Payload))!.AsObject();

    public string Username => Claims()["sub"]!.GetValue<string>();
    public string Email => Claims()["email"]!.GetValue<string>();
    public string TokenId => Claims()["jti"]!.GetValue<string>();
}
