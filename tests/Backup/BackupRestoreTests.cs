using System.Net;
using Npgsql;
using Surveillance.Tests.Infrastructure;
using Surveillance.Tests.Videos;

namespace Surveillance.Tests.Backup;

/// <summary>
/// Issue 16 §1: a backup set of a running system, restored after the database and the videos are
/// gone, is the same system; and a backup set that was tampered with is refused before anything
/// is touched.
/// </summary>
[Collection(SharedBackedUpSystem.Name)]
public sealed class BackupRestoreTests(BackedUpSystem backedUp)
{
    [Fact]
    public async Task BackupWipeRestore_ServesEveryVideoByteExact_FindsTheSameFrames_KeepsRevocationsAndBlocks_AndTheAuditChainVerifies()
    {
        var before = backedUp.Before;
        var restore = await BackupScripts.RunOnDatabaseAsync("restore.sh", backedUp.Database.OwnerConnectionString,
            "data", "--set", backedUp.Set, "--identity", backedUp.Keys.Identity, "--verify-key", backedUp.Keys.VerifyKey,
            "--videos", backedUp.Settings.VideoPath, "--runtime-role", RuntimeRole, "--work-dir", backedUp.Root);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        await using var system = await BackedUpSystem.RunningSystem.StartAsync(backedUp.Settings);
        var http = system.Api.CreateClient();
        var admin = await system.AdminTokenAsync();

        foreach (var (videoId, sha256) in before.VideoSha256)
        {
            Assert.Equal(sha256, VideoRequests.Sha256Hex(await http.DownloadBytesAsync(admin, videoId)));
        }

        await system.WaitUntilSearchableAsync(admin, frames: 4);
        Assert.Equal(before.Hits, await system.SearchAsync(admin, threshold: null));
        Assert.Equal(before.Ranking, await system.SearchAsync(admin, threshold: 0));
        Assert.NotEmpty(before.Hits);

        // Sessions: the revoked token stays refused, the live one still works; accounts as they were.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(HttpMethod.Get, "/auth/me", before.RevokedToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, "/auth/me", before.LiveToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostLoginAsync(before.DeactivatedUser, TestSettings.UserPassword)).StatusCode);
        var operatorToken = await http.LoginAsync(before.Operator, TestSettings.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Get, $"/surveillance/videos/{before.VideoSha256.Keys.First()}", operatorToken)).StatusCode);

        // The block holds, before any token is looked at.
        var fromBlocked = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
        fromBlocked.Headers.Add(ApiHost.ClientIpHeader, before.BlockedIp);
        await (await http.SendAsync(fromBlocked)).AssertProblemAsync(HttpStatusCode.Forbidden, "IP_BLOCKED");

        // The audit chain runs on from the restored rows: every entry of the backup plus today's verify.
        var verify = await (await http.SendAsync(HttpMethod.Get, "/admin/audit/verify", admin)).ReadJsonAsync();
        Assert.True(verify["valid"]!.GetValue<bool>(), verify.ToJsonString());
        Assert.True(verify["entries_checked"]!.GetValue<long>() >= before.AuditEntries, verify.ToJsonString());

        // The restored schema belongs to the owner, and the runtime role has its narrowed grants back.
        Assert.Equal(SchemaOwner, await backedUp.Database.ScalarAsync<string>("SELECT tableowner::text FROM pg_tables WHERE tablename = 'audit_log'"));
        Assert.False(await backedUp.Database.ScalarAsync<bool>(
            $"SELECT has_table_privilege('{RuntimeRole}', 'audit_log', 'DELETE') OR has_table_privilege('{RuntimeRole}', 'audit_log', 'UPDATE')"));
    }

    [Fact]
    public async Task TamperedBackupFile_FlippedByteInTheDump_IsDetectedBeforeRestore_AndTheForcedTargetIsUntouched()
    {
        var set = CopyOfTheSet("flipped");
        var dump = Path.Combine(set, "database.pgdump.age");
        var bytes = await File.ReadAllBytesAsync(dump);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(dump, bytes);

        await AssertRefusedAndUntouchedAsync(set, "SHA-256 differs from MANIFEST");
    }

    [Fact]
    public async Task ForgedBackupFile_ReEncryptedToThePublicRecipient_WithARecomputedManifest_IsRefusedByTheSignature()
    {
        // Whoever can write the backup storage knows the recipient (a public key) and can make a
        // valid age file and a manifest with matching sums; only the signature is out of reach.
        var set = CopyOfTheSet("forged");
        var videos = Path.Combine(set, "videos.tar.age");
        var attacker = await BackupScripts.InitKeysAsync(backedUp.Root, "attacker-" + Guid.NewGuid().ToString("N")[..8]);
        var substitute = Path.Combine(backedUp.Root, "substitute-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(substitute, "a substituted archive");
        await BackupScripts.ToolAsync("age", "--encrypt", "--recipients-file", backedUp.Keys.Recipient, "--output", videos, substitute);
        var manifest = File.ReadAllLines(Path.Combine(set, "MANIFEST"))
            .Select(line => line.EndsWith("  videos.tar.age", StringComparison.Ordinal)
                ? $"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(videos)))}  videos.tar.age"
                : line);
        await File.WriteAllLinesAsync(Path.Combine(set, "MANIFEST"), manifest);

        await AssertRefusedAndUntouchedAsync(set, "signature of MANIFEST does not verify");

        // Signed by the attacker's own key, it is still refused under the operator's verify key.
        await BackupScripts.ToolAsync("openssl", "pkeyutl", "-sign", "-inkey", attacker.SigningKey, "-rawin",
            "-in", Path.Combine(set, "MANIFEST"), "-out", Path.Combine(set, "MANIFEST.sig"));
        await AssertRefusedAndUntouchedAsync(set, "signature of MANIFEST does not verify");
    }

    [Fact]
    public async Task RestoreOverADatabaseThatHoldsData_IsRefusedWithoutForce_AndLeavesItAsItWas()
    {
        await using var target = await BackupDatabase.CreateAsync("backup_target");
        await target.ExecuteAsync("CREATE TABLE someone_elses (x int); INSERT INTO someone_elses VALUES (42)");
        var videos = Directory.CreateDirectory(Path.Combine(backedUp.Root, "target-" + Guid.NewGuid().ToString("N")[..8])).FullName;

        var restore = await RestoreIntoAsync(backedUp.Set, target, videos);

        Assert.True(restore.ExitCode == BackupScripts.TargetNotEmpty, restore.ToString());
        Assert.Contains("not empty", restore.Errors, StringComparison.Ordinal);
        Assert.Equal(42, await target.ScalarAsync<int>("SELECT x FROM someone_elses"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(videos));
    }

    [Fact]
    public async Task StolenBackupJobCredential_ReadsEveryTable_ButCannotWriteAny()
    {
        // The backup job's role (a member of pg_read_all_data) on the suite's main database.
        await TestDatabase.EnsureSchemaAsync();
        var backupRole = new NpgsqlConnectionStringBuilder(BackupScripts.BackupRoleConnectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(backupRole);
        await connection.OpenAsync();
        // orleansquery is filled by the schema itself; audit_log is the most guarded table.
        await using (var read = new NpgsqlCommand("SELECT (SELECT count(*) FROM orleansquery) + (SELECT count(*) FROM audit_log) * 0", connection))
        {
            Assert.True((long)(await read.ExecuteScalarAsync())! > 0);
        }

        foreach (var sql in new[]
        {
            "INSERT INTO surveillance_schema_migrations(name) VALUES ('db/smuggled.sql')",
            "DELETE FROM orleansstorage",
            "UPDATE video_frames SET caption = 'rewritten'",
        })
        {
            await using var write = new NpgsqlCommand(sql, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => write.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    [Fact]
    public async Task MasterKeysBackedUpBesideTheData_AreRefused_AndOnlyTheKeysOwnIdentityOpensTheirSet()
    {
        var keysKeys = await BackupScripts.InitKeysAsync(backedUp.Root, "keys-keys-" + Guid.NewGuid().ToString("N")[..8]);
        var secrets = Path.Combine(Directory.CreateDirectory(Path.Combine(backedUp.Root, "secrets-" + Guid.NewGuid().ToString("N")[..8])).FullName, "secrets.json");
        await File.WriteAllBytesAsync(secrets, System.Security.Cryptography.RandomNumberGenerator.GetBytes(300));
        string[] keysOptions = ["--recipient-file", keysKeys.Recipient, "--signing-key", keysKeys.SigningKey, "--file", secrets];

        var beside = await BackupScripts.BackupAsync(["keys", "--out", backedUp.SetsDirectory, .. keysOptions]);
        Assert.True(beside.ExitCode == BackupScripts.UsageError, beside.ToString());
        Assert.Contains("holds data backup sets", beside.Errors, StringComparison.Ordinal);

        var apart = await BackupScripts.BackupAsync(["keys", "--out", Path.Combine(backedUp.Root, "key-sets-" + Guid.NewGuid().ToString("N")[..8]), .. keysOptions]);
        Assert.True(apart.ExitCode == 0, apart.ToString());
        var restoredTo = Path.Combine(backedUp.Root, "restored-keys-" + Guid.NewGuid().ToString("N")[..8]);

        var withTheDataIdentity = await BackupScripts.RestoreAsync("keys", "--set", apart.Output, "--identity", backedUp.Keys.Identity,
            "--verify-key", keysKeys.VerifyKey, "--out", restoredTo);
        Assert.True(withTheDataIdentity.ExitCode == BackupScripts.FailedVerification, withTheDataIdentity.ToString());
        Assert.False(Directory.Exists(restoredTo));

        var restored = await BackupScripts.RestoreAsync("keys", "--set", apart.Output, "--identity", keysKeys.Identity,
            "--verify-key", keysKeys.VerifyKey, "--out", restoredTo);
        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(await File.ReadAllBytesAsync(secrets), await File.ReadAllBytesAsync(Path.Combine(restoredTo, "secrets.json")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(restoredTo, "secrets.json")));
        }
    }

    private static string RuntimeRole => new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString).Username!;

    private static string SchemaOwner => new NpgsqlConnectionStringBuilder(TestDatabase.OwnerConnectionString).Username!;

    /// <summary>A restore with --force into a database and a video directory that hold data: refused, and both exactly as they were.</summary>
    private async Task AssertRefusedAndUntouchedAsync(string set, string reason)
    {
        await using var target = await BackupDatabase.CreateAsync("backup_target");
        await target.ExecuteAsync("CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)");
        var videos = Directory.CreateDirectory(Path.Combine(backedUp.Root, "target-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var kept = Path.Combine(videos, "p-kept", "0123abcd.svv");
        Directory.CreateDirectory(Path.GetDirectoryName(kept)!);
        await File.WriteAllBytesAsync(kept, [1, 2, 3]);
        var objectsBefore = await target.CountUserObjectsAsync();

        var restore = await RestoreIntoAsync(set, target, videos, "--force");

        Assert.True(restore.ExitCode == BackupScripts.FailedVerification, restore.ToString());
        Assert.Contains(reason, restore.Errors, StringComparison.Ordinal);
        Assert.Contains("nothing was restored", restore.Errors, StringComparison.Ordinal);
        Assert.Equal(objectsBefore, await target.CountUserObjectsAsync());
        Assert.Equal(7, await target.ScalarAsync<int>("SELECT x FROM kept"));
        Assert.Equal([kept], Directory.GetFiles(videos, "*", SearchOption.AllDirectories));
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(kept));
    }

    private Task<ScriptResult> RestoreIntoAsync(string set, BackupDatabase target, string videos, params string[] more) =>
        BackupScripts.RunOnDatabaseAsync("restore.sh", target.OwnerConnectionString,
            ["data", "--set", set, "--identity", backedUp.Keys.Identity, "--verify-key", backedUp.Keys.VerifyKey,
             "--videos", videos, "--runtime-role", RuntimeRole, "--work-dir", backedUp.Root, .. more]);

    private string CopyOfTheSet(string name)
    {
        var copy = Path.Combine(backedUp.Root, "copies", name + "-" + Guid.NewGuid().ToString("N")[..8], Path.GetFileName(backedUp.Set));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(backedUp.Set))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
    }
}
