using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Surveillance.Audit;
using Surveillance.Identity;
using Surveillance.Processing;
using Surveillance.Tests.Infrastructure;
using Surveillance.Videos;

namespace Surveillance.Tests.Hosting;

/// <summary>
/// Secrets only where they are read: a compromised API process (the one facing the internet)
/// must not hand over the password pepper, the video master keys, the results key or the
/// database owner's credentials, because it never had them.
/// </summary>
public sealed partial class SecretPlacementTests
{
    private static readonly string[] SiloOnlySecrets =
        ["Auth__PasswordPepper", "Storage__MasterKeys", "Results__HmacKey", "ConnectionStrings__OrleansMigrations", "SURVEILLANCE_ADMIN_PASSWORD"];

    [Fact]
    public void K8sTemplate_GivesTheApiNoSiloSecret_AndTheSiloNoTokenKeyOrOwnerRole()
    {
        var api = TemplateKeys("surveillance-api-secrets");
        var silo = TemplateKeys("surveillance-silo-secrets");

        Assert.DoesNotContain(api, key => SiloOnlySecrets.Any(s => key.StartsWith(s, StringComparison.Ordinal)));
        Assert.DoesNotContain("Auth__JwtSecret", silo);
        Assert.DoesNotContain("ConnectionStrings__OrleansMigrations", silo);
        Assert.Equal(["ConnectionStrings__OrleansMigrations"], TemplateKeys("surveillance-migrator-secrets"));
    }

    [Fact]
    public async Task ProductionApi_StartsAndServes_WithOnlyTheKeysOfItsOwnSecret()
    {
        await using var cluster = await TestCluster.StartAsync(new TestSettings());
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Cluster:ExternalClient", "true");
            // A scrape port of its own: the default (9464) is shared by every API that test classes start in parallel.
            builder.UseSetting("Metrics:Port", "0");
            foreach (var key in TemplateKeys("surveillance-api-secrets"))
            {
                builder.UseSetting(key.Replace("__", ":", StringComparison.Ordinal), key.StartsWith("ConnectionStrings", StringComparison.Ordinal)
                    ? TestDatabase.ConnectionString
                    : key == "Audit__HmacKey" ? cluster.Settings.AuditHmacKey : Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
            }

            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton(cluster.Client);
                services.AddSingleton<IGrainFactory>(cluster.Client);
            });
        });
        var http = factory.CreateClient();

        var token = await http.LoginAsync("admin", TestSettings.AdminPassword);

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/auth/me", token)).StatusCode);
    }

    [Fact]
    public void SiloOptions_Validate_WithOnlyTheKeysOfItsOwnSecret()
    {
        var settings = TemplateKeys("surveillance-silo-secrets").ToDictionary(
            key => key.Replace("__", ":", StringComparison.Ordinal),
            key => (string?)(key switch
            {
                "Storage__ActiveKeyId" => "k1",
                "SURVEILLANCE_ADMIN_PASSWORD" or "ConnectionStrings__Orleans" => "not validated here",
                _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            }));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddSurveillanceGrains(configuration).BuildServiceProvider();

        Assert.NotNull(services.GetRequiredService<IOptions<PasswordHashingOptions>>().Value);
        Assert.NotNull(services.GetRequiredService<IOptions<MasterKeyOptions>>().Value);
        Assert.True(new ResultsOptionsValidator().Validate(null, new ResultsOptions { HmacKey = configuration["Results:HmacKey"]! }).Succeeded);
        Assert.True(new AuditOptionsValidator().Validate(null, new AuditOptions { HmacKey = configuration["Audit:HmacKey"]! }).Succeeded);
    }

    [Fact]
    public async Task DevelopmentApi_LoadsNoSiloSecret_FromTheSecretsFileItSharesWithTheSilo()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "surveillance-tests", Guid.NewGuid().ToString("N"));
        await using var cluster = await TestCluster.StartAsync(new TestSettings());
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Storage:DataPath", dataPath);
            builder.UseSetting("Metrics:Port", "0");
            builder.UseSetting("ConnectionStrings:Orleans", TestDatabase.ConnectionString);
            builder.UseSetting("Cluster:ExternalClient", "true");
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton(cluster.Client);
                services.AddSingleton<IGrainFactory>(cluster.Client);
            });
        });
        try
        {
            var configuration = factory.Services.GetRequiredService<IConfiguration>();
            var secretsFile = await File.ReadAllTextAsync(Path.Combine(dataPath, "secrets.json"));

            Assert.Contains("PasswordPepper", secretsFile, StringComparison.Ordinal); // the silo's part is in the file …
            Assert.Null(configuration["Auth:PasswordPepper"]);                          // … but not in the API's configuration
            Assert.Empty(configuration.GetSection("Storage:MasterKeys").GetChildren());
            Assert.Null(configuration["Results:HmacKey"]);
            Assert.False(string.IsNullOrEmpty(configuration["Auth:JwtSecret"]));
            Assert.False(string.IsNullOrEmpty(configuration["Audit:HmacKey"]));
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    /// <summary>The keys under <c>stringData</c> of one Secret in deploy/k8s/secret.template.yaml.</summary>
    private static List<string> TemplateKeys(string secretName)
    {
        var documents = File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "k8s", "secret.template.yaml")).Split("\n---");
        var document = documents.Single(d => d.Contains($"name: {secretName}\n", StringComparison.Ordinal));
        var data = document[document.IndexOf("stringData:", StringComparison.Ordinal)..];
        return [.. StringDataKey().Matches(data).Select(m => m.Groups[1].Value)];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Surveillance.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Surveillance.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"^  ([A-Za-z_][A-Za-z0-9_]*):", RegexOptions.Multiline)]
    private static partial Regex StringDataKey();
}
