using Npgsql;

namespace Surveillance.Silo.Health;

/// <summary>
/// Whether this silo should count as ready (Kubernetes readiness): it is <c>Active</c> in the
/// cluster's membership, and its storage (PostgreSQL: grain state, reminders, membership)
/// answers a trivial query within <see cref="StorageTimeout"/>. A silo that is still joining,
/// shutting down, declared dead, or cut off from its database is not ready.
/// </summary>
public sealed class SiloReadiness(ISiloStatusOracle membership, NpgsqlDataSource database)
{
    /// <summary>Short: a probe must answer well within Kubernetes' probe timeout.</summary>
    public static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(2);

    public async Task<SiloReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        var status = membership.CurrentStatus;
        var storage = await StorageAnswersAsync(cancellationToken);
        return new SiloReadinessReport(status == SiloStatus.Active && storage, status.ToString(), storage ? "operational" : "unavailable");
    }

    private async Task<bool> StorageAnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StorageTimeout);
            await using var command = database.CreateCommand("SELECT 1");
            command.CommandTimeout = (int)Math.Ceiling(StorageTimeout.TotalSeconds);
            await command.ExecuteScalarAsync(timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}

/// <summary>What <c>GET /health/ready</c> reports: the silo's membership status and its storage.</summary>
public sealed record SiloReadinessReport(bool Ready, string Membership, string Storage);
