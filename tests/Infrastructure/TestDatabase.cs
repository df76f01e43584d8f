using Microsoft.Extensions.Logging.Abstractions;
using Surveillance.Silo.Schema;

namespace Surveillance.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL that <c>./test.sh</c> starts. <see cref="ConnectionString"/>
/// (<c>SURVEILLANCE_TEST_DB</c>) logs in as the runtime role, which the services under test use;
/// <see cref="OwnerConnectionString"/> (<c>SURVEILLANCE_TEST_DB_OWNER</c>) as the schema owner,
/// for the migrator and for tests that act as a database administrator. The schema is applied
/// once per test run, exactly as a silo does.
/// </summary>
public static class TestDatabase
{
    public const string Variable = "SURVEILLANCE_TEST_DB";
    public const string OwnerVariable = "SURVEILLANCE_TEST_DB_OWNER";

    private static readonly Lazy<Task> Schema = new(() =>
        SchemaMigrator.ApplyAsync(OwnerConnectionString, SchemaMigrator.RoleOf(ConnectionString), NullLogger.Instance));

    public static string ConnectionString => Read(Variable);

    public static string OwnerConnectionString => Read(OwnerVariable);

    public static Task EnsureSchemaAsync() => Schema.Value;

    private static string Read(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{variable} is not set: run the tests through ./test.sh, which starts PostgreSQL for them.");
}
