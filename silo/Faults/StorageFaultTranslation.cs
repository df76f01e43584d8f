using System.Data.Common;
using Surveillance.Errors;
using Surveillance.Telemetry;

namespace Surveillance.Silo.Faults;

/// <summary>
/// The grain boundary for database faults. Npgsql's exceptions have no Orleans codec: thrown out of
/// a grain during an outage they would reach the API as <c>CodecNotFoundException</c>, which the API
/// cannot tell from a bug. Every grain call that fails because PostgreSQL cannot be
/// reached (or refuses more connections) fails instead with <see cref="DomainException"/>
/// <see cref="DomainError.Unavailable"/>, which crosses intact and answers 503 with Retry-After.
/// A write refused this way was never stored, and the activation that held it in memory is dropped.
/// </summary>
public sealed partial class StorageFaultTranslation(ILogger<StorageFaultTranslation> logger, SurveillanceMetrics metrics) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception exception) when (IsDatabaseFault(exception))
        {
            LogDatabaseFault(logger, exception, context.InterfaceName, context.MethodName);
            metrics.StorageFault("grain_call");
            // The grain may have changed its state in memory before the write failed: drop the activation,
            // so the next call reads what is really stored instead of serving a write that never happened.
            context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "database fault"));
            throw DomainException.Unavailable("The database is unavailable; retry shortly.");
        }
    }

    /// <summary>
    /// Npgsql's errors are DbExceptions (NpgsqlException, PostgresException); Orleans' storage and
    /// reminder providers wrap them in their own exceptions, so the chain of inner exceptions counts.
    /// </summary>
    public static bool IsDatabaseFault(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 8; depth++, exception = exception.InnerException)
        {
            if (exception is DbException or TimeoutException || exception.GetType().Namespace?.StartsWith("Npgsql", StringComparison.Ordinal) == true)
            {
                return true;
            }

            if (exception is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDatabaseFault))
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database fault in {Interface}.{Method}; answered as unavailable")]
    private static partial void LogDatabaseFault(ILogger logger, Exception exception, string @interface, string method);
}
