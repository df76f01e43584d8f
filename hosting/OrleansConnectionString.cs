using Microsoft.Extensions.Configuration;

namespace Surveillance.Hosting;

/// <summary><c>ConnectionStrings:Orleans</c>: the one check, with the one message, that both hosts make.</summary>
public static class OrleansConnectionString
{
    public const string Name = "Orleans";

    public static string Require(IConfiguration configuration) =>
        configuration.GetConnectionString(Name) is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException(
                "ConnectionStrings:Orleans is missing: silos and API instances find each other, and keep state, reminders and the audit log, in PostgreSQL.");
}
