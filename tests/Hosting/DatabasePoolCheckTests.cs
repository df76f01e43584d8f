using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Surveillance.Hosting;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Hosting;

/// <summary>
/// Issue 12: the processes of one cluster must not be able to exhaust PostgreSQL's connection
/// slots. Each process caps its pools, and at start-up compares the deployment's sum with what the
/// real server accepts, warning when it is larger.
/// </summary>
public sealed class DatabasePoolCheckTests
{
    [Fact]
    public async Task PoolsOfMoreNodesThanTheServerHasSlotsFor_AreWarnedAboutAtStartUp_NamingBothFigures()
    {
        // 5 silos + 5 APIs of 24 connections = 240, far above the test server's slots (max_connections 100).
        var warnings = await StartCheckAsync(new DatabasePoolOptions { Silos = 5, Apis = 5 });

        var warning = Assert.Single(warnings);
        Assert.Contains("240 connections", warning, StringComparison.Ordinal);
        Assert.Contains("max_connections", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultPools_OfOneSiloAndOneApi_FitTheServer_AndAreNotWarnedAbout()
    {
        var warnings = await StartCheckAsync(new DatabasePoolOptions());

        Assert.Empty(warnings);
    }

    [Fact]
    public void EachProcessConnectionString_CarriesAnExplicitMaximumPoolSize()
    {
        var pools = new DatabasePoolOptions { OrleansPoolSize = 16, AppPoolSize = 8 };

        Assert.Equal(16, new NpgsqlConnectionStringBuilder(pools.ForOrleans(TestDatabase.ConnectionString)).MaxPoolSize);
        Assert.Equal(8, new NpgsqlConnectionStringBuilder(pools.ForApp(TestDatabase.ConnectionString)).MaxPoolSize);
    }

    private static async Task<List<string>> StartCheckAsync(DatabasePoolOptions options)
    {
        await using var database = NpgsqlDataSource.Create(TestDatabase.ConnectionString);
        var logger = new WarningLog();
        await new DatabasePoolCheck(database, Options.Create(options), logger).StartAsync(CancellationToken.None);
        return logger.Warnings;
    }

    private sealed class WarningLog : ILogger<DatabasePoolCheck>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
