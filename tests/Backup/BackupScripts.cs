using System.Diagnostics;
using Npgsql;
using Surveillance.Tests.Tls;

namespace Surveillance.Tests.Backup;

/// <summary>
/// Runs scripts/backup.sh and scripts/restore.sh as an operator would: a libpq connection string
/// in <c>--dbname</c> and the password in <c>PGPASSWORD</c>, nothing else of the test's environment
/// that libpq would read.
/// </summary>
public static class BackupScripts
{
    public const int Verified = 0;
    public const int UsageError = 2;
    public const int FailedVerification = 3;
    public const int TargetNotEmpty = 4;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>The role scripts/backup.sh runs as (pg_read_all_data): <c>SURVEILLANCE_TEST_DB_BACKUP</c> from test.sh.</summary>
    public static string BackupRoleConnectionString =>
        Environment.GetEnvironmentVariable("SURVEILLANCE_TEST_DB_BACKUP") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("SURVEILLANCE_TEST_DB_BACKUP is not set: run the tests through ./test.sh.");

    public static Task<ScriptResult> BackupAsync(params string[] arguments) => RunAsync("backup.sh", null, arguments);

    public static Task<ScriptResult> RestoreAsync(params string[] arguments) => RunAsync("restore.sh", null, arguments);

    /// <summary>A script with <c>--dbname</c> and the password of the Npgsql connection string given.</summary>
    public static Task<ScriptResult> RunOnDatabaseAsync(string script, string npgsqlConnectionString, params string[] arguments)
    {
        var builder = new NpgsqlConnectionStringBuilder(npgsqlConnectionString);
        var conninfo = $"host={builder.Host} port={builder.Port} dbname={builder.Database} user={builder.Username} sslmode=disable";
        return RunAsync(script, builder.Password, [.. arguments, "--dbname", conninfo]);
    }

    /// <summary>A new backup key pair and signing key pair (backup.sh init-keys) in a new directory under PARENT.</summary>
    public static async Task<BackupKeys> InitKeysAsync(string parent, string name)
    {
        var directory = Path.Combine(parent, name);
        var made = await BackupAsync("init-keys", directory);
        Assert.True(made.ExitCode == 0, made.ToString());
        return new BackupKeys(directory);
    }

    /// <summary>Runs a tool (age, openssl) as an attacker or operator would by hand; asserts it succeeded.</summary>
    public static async Task ToolAsync(string tool, params string[] arguments)
    {
        var result = await RunProcessAsync(new ProcessStartInfo(tool, arguments), tool);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static Task<ScriptResult> RunAsync(string script, string? password, string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(ClusterCertificatesFixture.RepositoryRoot, "scripts", script), .. arguments]);
        foreach (var variable in new[] { "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGPASSFILE", "PGSERVICE" })
        {
            start.Environment.Remove(variable);
        }

        if (password is not null)
        {
            start.Environment["PGPASSWORD"] = password;
        }

        return RunProcessAsync(start, $"scripts/{script}");
    }

    private static async Task<ScriptResult> RunProcessAsync(ProcessStartInfo start, string name)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} {string.Join(' ', start.ArgumentList)} took over {Limit.TotalMinutes} minutes");
        }

        return new ScriptResult(process.ExitCode, (await output).Trim(), await errors);
    }
}

public sealed record ScriptResult(int ExitCode, string Output, string Errors)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Output}\nstderr: {Errors}";
}

/// <summary>What <c>backup.sh init-keys</c> makes: the job's public recipient and signing key, the restorer's identity and verify key.</summary>
public sealed record BackupKeys(string Directory)
{
    public string Identity => Path.Combine(Directory, "identity.age");
    public string Recipient => Path.Combine(Directory, "recipient.txt");
    public string SigningKey => Path.Combine(Directory, "signing.pem");
    public string VerifyKey => Path.Combine(Directory, "verify.pem");
}
