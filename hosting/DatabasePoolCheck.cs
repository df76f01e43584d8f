using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Surveillance.Hosting;

/// <summary>Warns at start-up when the configured pools of all nodes exceed the server's connection slots.</summary>
public sealed partial class DatabasePoolCheck(NpgsqlDataSource database, IOptions<DatabasePoolOptions> options, ILogger<DatabasePoolCheck> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = database.CreateCommand(
                "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int");
            var available = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (options.Value.OversubscriptionWarning(available) is { } warning)
            {
                LogOversubscribed(logger, warning);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Start-up does not wait for the database over a warning; the health check reports it unreachable.
            LogUnchecked(logger, e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogOversubscribed(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not compare the database pools with max_connections")]
    private static partial void LogUnchecked(ILogger logger, Exception exception);
}
