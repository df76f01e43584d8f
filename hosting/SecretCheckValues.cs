using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Surveillance.Hosting;

/// <summary>
/// Refuses to start a silo whose long-lived secrets are not the ones its database was first used
/// with. Without it, a lost or replaced secret is silently fatal: another password pepper locks
/// every user out, another master key under the same id makes every video unreadable, another
/// audit or results key makes the whole audit chain and every stored result look forged. The
/// everyday way there is deleting <c>.data/secrets.json</c> while the database survives
/// (Development regenerates it); in Production, a secret pasted wrongly.
/// <para>
/// Per secret, the table <c>secret_checks</c> holds HMAC-SHA256(secret, name): the first start
/// records it, every later start compares. Keys may be added (a new master key id) and, when
/// nothing is encrypted with them any more, removed; a known name with another value is refused.
/// </para>
/// </summary>
public static class SecretCheckValues
{
    /// <summary>Configuration keys checked; <c>Storage:MasterKeys</c> is checked per key id.</summary>
    public static readonly string[] Checked = ["Auth:PasswordPepper", "Audit:HmacKey", "Results:HmacKey"];

    public const string MasterKeys = "Storage:MasterKeys";

    /// <summary>Set by <see cref="DevelopmentSecrets"/> when it generated <c>secrets.json</c> during this start.</summary>
    public const string GeneratedNowKey = "DevelopmentSecrets:GeneratedNow";

    /// <summary>Compares (and on first use records) the check values; throws <see cref="SecretMismatchException"/> on a mismatch.</summary>
    public static async Task VerifyAsync(IConfiguration configuration, string connectionString, string serviceId, CancellationToken cancellationToken)
    {
        var secrets = SecretsOf(configuration);
        if (secrets.Count == 0)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var mismatched = new List<(string Name, DateTime RecordedAt)>();
        foreach (var (name, value) in secrets)
        {
            // Record on first use; two silos starting together with different values: one row wins
            // and the other silo finds the mismatch below.
            await using var command = new NpgsqlCommand(
                """
                WITH inserted AS (
                    INSERT INTO secret_checks (service_id, name, check_value) VALUES ($1, $2, $3)
                    ON CONFLICT (service_id, name) DO NOTHING
                    RETURNING check_value, recorded_at)
                SELECT check_value, recorded_at FROM inserted
                UNION ALL
                SELECT check_value, recorded_at FROM secret_checks WHERE service_id = $1 AND name = $2
                LIMIT 1
                """, connection)
            {
                Parameters = { new() { Value = serviceId }, new() { Value = name }, new() { Value = CheckValue(name, value) } },
            };
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var recorded = (byte[])reader[0];
            if (!CryptographicOperations.FixedTimeEquals(recorded, CheckValue(name, value)))
            {
                mismatched.Add((name, reader.GetDateTime(1)));
            }
        }

        if (mismatched.Count > 0)
        {
            throw new SecretMismatchException(Explain(mismatched, serviceId, configuration));
        }
    }

    /// <summary>HMAC-SHA256 keyed by the secret's bytes, over its name: one-way, and distinct per name.</summary>
    public static byte[] CheckValue(string name, string secret) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("surveillance secret check v1:" + name));

    private static List<(string Name, string Value)> SecretsOf(IConfiguration configuration)
    {
        var secrets = Checked
            .Where(key => !string.IsNullOrEmpty(configuration[key]))
            .Select(key => (key, configuration[key]!))
            .ToList();
        secrets.AddRange(configuration.GetSection(MasterKeys).GetChildren()
            .Where(k => !string.IsNullOrEmpty(k.Value))
            .Select(k => ($"{MasterKeys}:{k.Key}", k.Value!)));
        return secrets;
    }

    private static string Explain(List<(string Name, DateTime RecordedAt)> mismatched, string serviceId, IConfiguration configuration)
    {
        var names = string.Join(", ", mismatched.Select(m => $"{m.Name} (first used {m.RecordedAt:yyyy-MM-dd HH:mm:ss} UTC)"));
        var message = new StringBuilder()
            .Append($"Refusing to start: {names} differ from the values this database (ServiceId '{serviceId}') was first used with. ")
            .Append("Starting anyway would lock every user out (password pepper), make stored videos unreadable (master keys) ")
            .Append("and make the audit chain and stored results look forged (HMAC keys). ");
        var secretsFile = Path.Combine(DataDirectory.Resolve(configuration), DevelopmentSecrets.FileName);
        if (configuration.GetValue<bool>(GeneratedNowKey))
        {
            message.Append($"{secretsFile} did not exist and was generated anew just now: restore the previous file from a backup ")
                .Append("(replace the new one), or, to start from nothing on purpose, delete the database as well (./run.sh keeps it in ./.data/postgres).");
        }
        else
        {
            message.Append($"Set the original values again (in Development they live in {secretsFile}). ")
                .Append("To rotate a master key, add a new key id and keep the old one; the pepper cannot be changed.");
        }

        return message.ToString();
    }
}

/// <summary>A long-lived secret is not the one the database was first used with; the message says which and what to do.</summary>
public sealed class SecretMismatchException(string message) : Exception(message);
