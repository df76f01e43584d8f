using Microsoft.AspNetCore.Builder;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Surveillance.Identity;
using Surveillance.Api.Hosting;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Hosting;

/// <summary>
/// Security misconfiguration (OWASP A05): a Production node must refuse to start with a missing,
/// short or published secret, or a weak bcrypt cost, and say which key is wrong.
/// </summary>
public sealed class StartupValidationTests
{
    public static TheoryData<string?> WeakJwtSecrets => new()
    {
        null,                                                // the key is absent
        "",
        "0123456789abcdefghijklmnopqrstu",                   // 31 bytes: one short of an HS256 key
        "your-super-secret-jwt-key-change-in-production",    // the example in countless READMEs
        "YOUR-SUPER-SECRET-JWT-KEY-CHANGE-IN-PRODUCTION",
        "your-256-bit-secret-0123456789abc",                 // jwt.io's example, padded to 33 bytes
        "abababababababababababababababababababab",          // long but hardly random
    };

    [Theory]
    [MemberData(nameof(WeakJwtSecrets))]
    public async Task ProductionApi_RefusesToStart_WithAWeakJwtSecret_NamingTheKey(string? secret)
    {
        var failure = await StartProductionApiAsync(secret);

        var validation = FindValidationFailure(failure);
        Assert.Contains("Auth:JwtSecret", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionApi_RefusesToStart_WithANullJwtSecret_NamingTheKey_NotWithANullReferenceError()
    {
        // `"JwtSecret": null` in appsettings.json binds null, not "": still "missing", and must say so.
        var failure = await StartProductionApiAsync(null, nullSecret: true);

        var validation = FindValidationFailure(failure);
        Assert.Contains("Auth:JwtSecret", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionApi_Starts_WithAStrongRandomJwtSecret_AndItsTokensWork()
    {
        // Positive control: the same Production host with a 48-byte random secret serves logins.
        await using var cluster = await TestCluster.StartAsync(new TestSettings());
        await using var factory = ProductionApi(Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)), cluster);
        var http = factory.CreateClient();

        var token = await http.LoginAsync("admin", TestSettings.AdminPassword);
        var me = await http.SendAsync(HttpMethod.Get, "/auth/me", token);

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("admin", (await me.ReadJsonAsync())["username"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("9")]
    [InlineData("4")]
    [InlineData("0")]
    [InlineData("-1")]
    public void Silo_RefusesABcryptWorkFactorBelow10_NamingTheKey(string workFactor)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => PasswordHashing(workFactor, StrongSecret()));

        Assert.Contains("Auth:BcryptWorkFactor", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]   // the key is absent
    [InlineData("")]
    [InlineData("pepper")]
    [InlineData("0123456789abcdefghijklmnopqrstu")] // 31 bytes
    public void Silo_RefusesAMissingOrShortPasswordPepper_NamingTheKey(string? pepper)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => PasswordHashing("12", pepper));

        Assert.Contains("Auth:PasswordPepper", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Silo_RefusesANullPasswordPepper_NamingTheKey_NotWithANullReferenceError()
    {
        // `"PasswordPepper": null` in appsettings.json binds null, not "": still "missing", and must say so.
        var failure = Assert.Throws<OptionsValidationException>(() => PasswordHashing("12", null, keyPresent: true));

        Assert.Contains("Auth:PasswordPepper", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Silo_AcceptsWorkFactor12_AndA48BytePepper()
    {
        var pepper = StrongSecret();

        var options = PasswordHashing("12", pepper);

        Assert.Equal(12, options.BcryptWorkFactor);
        Assert.Equal(pepper, options.PasswordPepper);
    }

    private static string StrongSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    private static PasswordHashingOptions PasswordHashing(string workFactor, string? pepper, bool keyPresent = false)
    {
        var settings = new Dictionary<string, string?> { ["Auth:BcryptWorkFactor"] = workFactor };
        if (pepper is not null || keyPresent)
        {
            settings["Auth:PasswordPepper"] = pepper;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddSurveillanceGrains(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<PasswordHashingOptions>>().Value;
    }

    /// <summary>
    /// Builds and starts the API's host as Production runs it — the same wiring as Program.cs,
    /// without WebApplicationFactory's deferred host, whose disposal can race a failing start —
    /// and returns what starting it threw.
    /// </summary>
    private static async Task<Exception?> StartProductionApiAsync(string? jwtSecret, bool nullSecret = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orleans"] = TestDatabase.ConnectionString,
            ["Cluster:ExternalClient"] = "true",
            ["Audit:HmacKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Auth:JwtSecret"] = jwtSecret ?? (nullSecret ? null : ""),
        });
        builder.WebHost.UseTestServer();
        var failure = await Record.ExceptionAsync(async () =>
        {
            builder.AddSurveillanceApi();
            await using var app = builder.Build();
            app.UseSurveillanceApi();
            await app.StartAsync();
            await app.StopAsync();
        });
        return failure;
    }

    /// <summary>The API as Production runs it: no development secrets, only the configuration given here.</summary>
    private static WebApplicationFactory<Program> ProductionApi(string? jwtSecret, TestCluster? cluster = null, bool nullSecret = false) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Orleans", TestDatabase.ConnectionString);
            builder.UseSetting("Cluster:ExternalClient", "true");
            // A scrape port of its own: the default (9464) is shared by every API that test classes start in parallel.
            builder.UseSetting("Metrics:Port", "0");
            builder.UseSetting("Audit:HmacKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (jwtSecret is not null)
            {
                builder.UseSetting("Auth:JwtSecret", jwtSecret);
            }
            else if (nullSecret)
            {
                builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection([new("Auth:JwtSecret", null)]));
            }

            if (cluster is not null)
            {
                builder.ConfigureTestServices(services =>
                {
                    services.AddSingleton(cluster.Client);
                    services.AddSingleton<IGrainFactory>(cluster.Client);
                });
            }
        });

    /// <summary>The host may wrap the validator's exception; the one that counts is somewhere inside.</summary>
    private static OptionsValidationException FindValidationFailure(Exception? failure)
    {
        var pending = new Stack<Exception>();
        if (failure is not null)
        {
            pending.Push(failure);
        }

        while (pending.TryPop(out var current))
        {
            if (current is OptionsValidationException validation)
            {
                return validation;
            }

            if (current is AggregateException aggregate)
            {
                aggregate.InnerExceptions.ToList().ForEach(pending.Push);
            }
            else if (current.InnerException is not null)
            {
                pending.Push(current.InnerException);
            }
        }

        throw new Xunit.Sdk.XunitException($"Expected the host to refuse to start with an OptionsValidationException, got: {failure?.ToString() ?? "no exception"}");
    }
}
