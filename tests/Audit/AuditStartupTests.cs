using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Audit;

/// <summary>A Production API without a strong audit key must not start: its chain would be forgeable or unverifiable.</summary>
public sealed class AuditStartupTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all")]
    [InlineData("MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnN0dQ==")] // 31 bytes
    public async Task ProductionApi_WithAMissingOrWeakAuditKey_RefusesToStart_NamingTheKey(string? key)
    {
        await using var factory = ProductionApi(key);

        var failure = Record.Exception(() => factory.Services);

        Assert.NotNull(failure);
        Assert.Contains("Audit:HmacKey", Flatten(failure), StringComparison.Ordinal);
        Assert.IsType<OptionsValidationException>(Find(failure, e => e is OptionsValidationException));
    }

    [Fact]
    public async Task ProductionApi_WithA32ByteAuditKey_Starts()
    {
        await using var cluster = await TestCluster.StartAsync(new TestSettings());
        await using var factory = ProductionApi(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), cluster);

        var response = await factory.CreateClient().PostLoginAsync("admin", TestSettings.AdminPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static WebApplicationFactory<Program> ProductionApi(string? auditKey, TestCluster? cluster = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Orleans", TestDatabase.ConnectionString);
            builder.UseSetting("Cluster:ExternalClient", "true");
            builder.UseSetting("Auth:JwtSecret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
            foreach (var (name, value) in (cluster?.Settings ?? new TestSettings()).ApiConfiguration()
                .Where(s => s.Key.StartsWith("Storage:", StringComparison.Ordinal) || s.Key.StartsWith("RateLimiting:", StringComparison.Ordinal)))
            {
                builder.UseSetting(name, value);
            }

            if (auditKey is not null)
            {
                builder.UseSetting("Audit:HmacKey", auditKey);
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

    private static string Flatten(Exception failure) => string.Join("\n", Walk(failure).Select(e => e.Message));

    private static Exception? Find(Exception failure, Func<Exception, bool> match) => Walk(failure).FirstOrDefault(match);

    private static IEnumerable<Exception> Walk(Exception failure)
    {
        yield return failure;
        var inner = failure is AggregateException aggregate ? aggregate.InnerExceptions : failure.InnerException is { } one ? [one] : [];
        foreach (var child in inner.SelectMany(Walk))
        {
            yield return child;
        }
    }
}
