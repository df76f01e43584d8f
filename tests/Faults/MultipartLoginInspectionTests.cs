using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Faults;

/// <summary>
/// Issue 13 §1: login accepts multipart/form-data, so intrusion detection must read a multipart
/// login like a urlencoded one; otherwise a payload only has to change its content type to pass.
/// </summary>
public sealed class MultipartLoginInspectionTests(KestrelApiFixture fixture) : IClassFixture<KestrelApiFixture>
{
    [Fact]
    public async Task SqlInjectionInMultipartLoginUsername_IsRefusedAs400SuspiciousInput_NotPassedToLogin()
    {
        var response = await fixture.CreateClient().PostAsync("/auth/login",
            Multipart(("username", "admin' union select password from users--"), ("password", "whatever")));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
    }

    [Fact]
    public async Task ScriptInMultipartFileName_OnLogin_IsRefusedAs400SuspiciousInput()
    {
        var form = Multipart(("username", "admin"), ("password", "whatever"));
        form.Add(new ByteArrayContent("x"u8.ToArray()), "attachment", "<script>alert(1)</script>.txt");

        var response = await fixture.CreateClient().PostAsync("/auth/login", form);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "SUSPICIOUS_INPUT");
    }

    [Fact]
    public async Task MultipartLogin_WithAPasswordThatLooksLikeSql_StillLogsIn()
    {
        // Secrets are hashed, never interpreted: as in JSON and urlencoded logins, they are not inspected.
        var admin = await fixture.AdminTokenAsync();
        var username = await fixture.CreateClient().CreateUserAsync(admin, password: "x' OR '1'='1' -- tr0ub4dor");

        var response = await fixture.CreateClient().PostAsync("/auth/login",
            Multipart(("username", username), ("password", "x' OR '1'='1' -- tr0ub4dor")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OversizedMultipartLogin_Is413_NotBufferedWithoutBound()
    {
        var response = await fixture.CreateClient().PostAsync("/auth/login",
            Multipart(("username", "admin"), ("password", "whatever"), ("padding", new string('p', 2 * 1024 * 1024))));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static MultipartFormDataContent Multipart(params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent("login-boundary");
        foreach (var (name, value) in fields)
        {
            var part = new StringContent(value, Encoding.UTF8);
            part.Headers.ContentType = null;
            form.Add(part, name);
        }

        form.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=login-boundary");
        return form;
    }
}
