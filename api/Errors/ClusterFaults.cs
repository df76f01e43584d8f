using System.Data.Common;
using Orleans.Runtime.Messaging;
using Orleans.Serialization;

namespace Surveillance.Api.Errors;

/// <summary>
/// Failures that mean "the cluster or the database cannot be reached right now", seen during a
/// silo failover or a database outage. They answer 503 with <c>Retry-After</c>, never 500.
/// </summary>
public static class ClusterFaults
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException => true,
        TimeoutException => true,
        DbException => true,
        // A database exception from a silo arrives as Orleans' stand-in when its type is not loaded here.
        UnavailableExceptionFallbackException fallback => fallback.ExceptionType?.StartsWith("Npgsql.", StringComparison.Ordinal) == true,
        OrleansException { InnerException: { } inner } => IsTransient(inner),
        AggregateException { InnerExceptions: var inner } => inner.Any(IsTransient),
        _ => false,
    };
}
