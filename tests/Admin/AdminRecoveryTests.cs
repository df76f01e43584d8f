using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using InProcessTestClusterBuilder = Orleans.TestingHost.InProcessTestClusterBuilder;
using Surveillance.Errors;
using Surveillance.Silo;
using Surveillance.Silo.Admin;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Admin;

/// <summary>
/// The first admin and a lost admin password. In Production the first password comes from the
/// operator (variable or file), never printed into a pod log; a lost one is reset from a shell on
/// a silo (<c>reset-admin-password</c>), which no HTTP client can reach.
/// </summary>
public sealed class AdminRecoveryTests
{
    // Generated per run, like every credential of the suite: nothing secret-shaped in the repository.
    private static readonly string NewPassword = "admin-reset-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    [Fact]
    public async Task ProductionSilo_OnAnEmptyDatabase_WithoutAnAdminPassword_RefusesToStart_InsteadOfLoggingAGeneratedOne()
    {
        var settings = new TestSettings { Overrides = { [BootstrapAdmin.PasswordKey] = null } };

        var failure = await Record.ExceptionAsync(() => StartProductionClusterAsync(settings));

        var refusal = Flatten(failure).OfType<InvalidOperationException>().FirstOrDefault(e => e.Message.Contains(BootstrapAdmin.PasswordKey, StringComparison.Ordinal));
        Assert.True(refusal is not null, $"expected a refusal naming {BootstrapAdmin.PasswordKey}, got: {failure}");
        Assert.Contains(BootstrapAdmin.PasswordFileKey, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionSilo_TakesTheFirstAdminPassword_FromAFile()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, NewPassword + "\n");
        try
        {
            var settings = new TestSettings { Overrides = { [BootstrapAdmin.PasswordKey] = null, [BootstrapAdmin.PasswordFileKey] = file } };
            await using var cluster = await StartProductionClusterAsync(settings);

            await using var api = new ApiHost(cluster);
            Assert.False(string.IsNullOrEmpty(await api.CreateClient().LoginAsync("admin", NewPassword)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ProductionSilo_WithAnAdminAlready_StartsWithoutAnyAdminPassword()
    {
        await using var cluster = await TestCluster.StartAsync(new TestSettings());
        var settings = new TestSettings { ServiceId = cluster.Settings.ServiceId, Overrides = { [BootstrapAdmin.PasswordKey] = null } };

        await BootstrapAdmin.EnsureAsync(cluster.Client, Configuration(settings), Environment(Environments.Production), NullLogger.Instance);

        await using var api = new ApiHost(cluster);
        Assert.False(string.IsNullOrEmpty(await api.CreateClient().LoginAsync("admin", TestSettings.AdminPassword)));
    }

    [Fact]
    public async Task LostAdminPassword_ResetFromASiloShell_LetsTheNewPasswordIn_AndLocksTheOldOneAndItsSessionsOut()
    {
        await using var cluster = await TestCluster.StartAsync(new TestSettings());
        await using var api = new ApiHost(cluster);
        var http = api.CreateClient();
        var oldToken = await http.LoginAsync("admin", TestSettings.AdminPassword);
        var password = AdminPasswordReset.ReadPassword(new StringReader(NewPassword + "\n"), passwordFile: null);

        await AdminPasswordReset.ResetAsync(cluster.Client, "admin", password);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostLoginAsync("admin", TestSettings.AdminPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(HttpMethod.Get, "/auth/me", oldToken)).StatusCode);
        var newToken = await http.LoginAsync("admin", NewPassword);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/admin/users", newToken)).StatusCode);
    }

    [Fact]
    public async Task AdminPasswordReset_StillAppliesThePasswordPolicy_AndRefusesAnUnknownAccount()
    {
        await using var cluster = await TestCluster.StartAsync(new TestSettings());

        var weak = await Assert.ThrowsAsync<DomainException>(() => AdminPasswordReset.ResetAsync(cluster.Client, "admin", "short"));
        var unknown = await Assert.ThrowsAsync<DomainException>(() => AdminPasswordReset.ResetAsync(cluster.Client, "nobody-here", NewPassword));

        Assert.Equal(DomainError.Validation, weak.Error);
        Assert.Equal(DomainError.NotFound, unknown.Error);
    }

    [Fact]
    public void AdminPasswordReset_ReadsThePasswordFromAFileOrStdin_NeverFromTheCommandLine()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, NewPassword + "\r\n");
        try
        {
            Assert.Equal(NewPassword, AdminPasswordReset.ReadPassword(new StringReader("ignored"), file));
            Assert.Equal(NewPassword, AdminPasswordReset.ReadPassword(new StringReader(NewPassword + "\nmore"), null));
            Assert.Throws<InvalidOperationException>(() => AdminPasswordReset.ReadPassword(new StringReader(""), null));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AdminPasswordReset_WithAPasswordAsAnArgument_PrintsUsage_AndChangesNothing()
    {
        var output = new StringWriter();

        var status = await AdminPasswordReset.RunAsync(["admin", NewPassword], new StringReader(""), output);

        Assert.Equal(2, status);
        Assert.Contains("usage", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A test cluster whose silos run as Production (their bootstrap included), on a fresh ServiceId.</summary>
    private static async Task<TestCluster> StartProductionClusterAsync(TestSettings settings)
    {
        await TestDatabase.EnsureSchemaAsync();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = settings.ServiceId;
        builder.Options.ClusterId = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        builder.ConfigureHost(host =>
        {
            host.Environment.EnvironmentName = Environments.Production;
            host.Configuration.AddInMemoryCollection(settings.SiloConfiguration());
        });
        builder.ConfigureSilo((_, silo) => silo.AddSurveillance(silo.Configuration));
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync().WaitAsync(TimeSpan.FromSeconds(120));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return TestCluster.Wrap(cluster, settings);
    }

    private static IEnumerable<Exception> Flatten(Exception? failure)
    {
        var pending = new Stack<Exception>();
        if (failure is not null)
        {
            pending.Push(failure);
        }

        while (pending.TryPop(out var current))
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                aggregate.InnerExceptions.ToList().ForEach(pending.Push);
            }
            else if (current.InnerException is not null)
            {
                pending.Push(current.InnerException);
            }
        }
    }

    private static IConfiguration Configuration(TestSettings settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.SiloConfiguration()).Build();

    private static HostingEnvironment Environment(string name) => new HostingEnvironment { EnvironmentName = name };
}
