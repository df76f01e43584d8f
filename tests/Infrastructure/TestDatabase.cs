using Microsoft.Extensions.Logging.Abstractions;
using Surveillance.Silo.Schema;

namespace Surveillance.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL that <c>./test.sh</c> starts: its connection string comes in
/// <c>SURVEILLANCE_TEST_DB</c>. The schema is applied once per test run, exactly as a silo does.
/// </summary>
public static class TestDatabase
{
    public const string Variable = "SURVEILLANCE_TEST_DB";

    private static readonly Lazy<Task> Schema = new(() =>
        SchemaMigrator.ApplyAsync(ConnectionString, NullLogger.Instance));

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{Variable} is not set: run the tests through ./test.sh, which starts PostgreSQL for them.");

    public static Task EnsureSchemaAsync() => Schema.Value;
}
