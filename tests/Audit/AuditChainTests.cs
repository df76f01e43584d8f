using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Audit;

/// <summary>
/// The chain: append-only in the database, and every edit, removal or reordering by someone who
/// bypasses that (a superuser) is found by <c>GET /admin/audit/verify</c>. Each tampering test
/// restores what it changed, so the next one starts from a valid chain.
/// </summary>
public sealed class AuditChainTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    private async Task<JsonNode> VerifyAsync()
    {
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, "/admin/audit/verify", await fixture.AdminTokenAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    /// <summary>Ensures a few stored entries and returns the ids of three of them in the middle of the chain.</summary>
    private async Task<long[]> MiddleIdsAsync()
    {
        for (var i = 0; i < 6; i++)
        {
            var (_, requestId) = await fixture.SendAsync(HttpMethod.Post, "/auth/login",
                clientIp: $"198.18.{Random.Shared.Next(0, 256)}.{i + 1}", body: new { username = "nobody", password = "wrong password here" });
            Assert.NotNull(await fixture.FindAsync(requestId));
        }

        var rows = await fixture.QueryAsync("SELECT id FROM audit_log ORDER BY id DESC LIMIT 6");
        return rows.Select(r => (long)r["id"]!).Skip(2).Take(3).Order().ToArray();
    }

    private async Task AssertValidAsync()
    {
        var result = await VerifyAsync();
        Assert.True(result["valid"]!.GetValue<bool>(), $"chain reported broken: {result.ToJsonString()}");
        Assert.Null(result["first_broken_id"]);
    }

    private async Task AssertBrokenAtAsync(long id)
    {
        var result = await VerifyAsync();
        Assert.False(result["valid"]!.GetValue<bool>());
        Assert.Equal(id, result["first_broken_id"]!.GetValue<long>());
        Assert.True(result["entries_checked"]!.GetValue<long>() >= 3);
    }

    [Fact]
    public async Task Verify_UntouchedLog_IsValid_AndCountsEveryEntry()
    {
        await MiddleIdsAsync();
        var before = (long)(await fixture.QueryAsync("SELECT count(*) AS n FROM audit_log"))[0]["n"]!;

        var result = await VerifyAsync();

        var after = (long)(await fixture.QueryAsync("SELECT count(*) AS n FROM audit_log"))[0]["n"]!;
        Assert.True(result["valid"]!.GetValue<bool>());
        Assert.InRange(result["entries_checked"]!.GetValue<long>(), before, after);
    }

    [Fact]
    public async Task Verify_DetectsAnEditedEntry()
    {
        var id = (await MiddleIdsAsync())[1];
        var original = (await fixture.QueryAsync("SELECT status_code FROM audit_log WHERE id = $1", id))[0]["status_code"];
        await fixture.TamperAsync($"UPDATE audit_log SET status_code = 200 WHERE id = {id}");
        try
        {
            await AssertBrokenAtAsync(id);
        }
        finally
        {
            await fixture.TamperAsync($"UPDATE audit_log SET status_code = {original} WHERE id = {id}");
        }

        await AssertValidAsync();
    }

    [Fact]
    public async Task Verify_DetectsAnEntryDeletedFromTheMiddle()
    {
        var ids = await MiddleIdsAsync();
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using (var save = new NpgsqlCommand(
            $"ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; CREATE TEMP TABLE saved AS SELECT * FROM audit_log WHERE id = {ids[1]}; DELETE FROM audit_log WHERE id = {ids[1]}; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only", connection))
        {
            await save.ExecuteNonQueryAsync();
        }

        try
        {
            // The gap shows at the next entry: its prev_hash points at a hash no longer there.
            await AssertBrokenAtAsync(ids[2]);
        }
        finally
        {
            await using var restore = new NpgsqlCommand("INSERT INTO audit_log SELECT * FROM saved", connection);
            await restore.ExecuteNonQueryAsync();
        }

        await AssertValidAsync();
    }

    [Fact]
    public async Task Verify_DetectsTwoEntriesSwapped()
    {
        var ids = await MiddleIdsAsync();
        const string Columns = "timestamp, request_id, username, client_ip, method, path, status_code, user_agent, is_sensitive, event, error, details, prev_hash, hash";
        var swap = $"UPDATE audit_log a SET ({Columns}) = (SELECT {Columns} FROM audit_log b WHERE b.id = " +
            $"CASE a.id WHEN {ids[0]} THEN {ids[2]} ELSE {ids[0]} END) WHERE a.id IN ({ids[0]}, {ids[2]})";
        await fixture.TamperAsync(swap);
        try
        {
            await AssertBrokenAtAsync(ids[0]);
        }
        finally
        {
            await fixture.TamperAsync(swap);
        }

        await AssertValidAsync();
    }

    [Fact]
    public async Task Verify_DetectsAnEditWhoseHashWasRecomputedWithoutTheKey()
    {
        var id = (await MiddleIdsAsync())[1];
        var original = (await fixture.QueryAsync("SELECT username, hash FROM audit_log WHERE id = $1", id))[0];
        // The attacker edits the row and recomputes the hash as a plain SHA-256, the best possible without the HMAC key.
        await fixture.TamperAsync($"UPDATE audit_log SET username = 'someone-else', hash = sha256(prev_hash || convert_to(username, 'UTF8')) WHERE id = {id}");
        try
        {
            await AssertBrokenAtAsync(id);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(fixture.ConnectionString);
            await connection.OpenAsync();
            // As the table's owner, with the append-only trigger off for this one statement.
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var disable = new NpgsqlCommand("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only", connection, transaction))
            {
                await disable.ExecuteNonQueryAsync();
            }

            await using (var restore = new NpgsqlCommand("UPDATE audit_log SET username = $1, hash = $2 WHERE id = $3", connection, transaction)
            {
                Parameters = { new() { Value = original["username"]! }, new() { Value = original["hash"]! }, new() { Value = id } },
            })
            {
                await restore.ExecuteNonQueryAsync();
            }

            await using (var enable = new NpgsqlCommand("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only", connection, transaction))
            {
                await enable.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        await AssertValidAsync();
    }

    [Theory]
    [InlineData("UPDATE audit_log SET status_code = status_code")]
    [InlineData("DELETE FROM audit_log WHERE false")]
    [InlineData("DELETE FROM audit_log")]
    [InlineData("TRUNCATE audit_log")]
    public async Task AppendOnly_TheDatabaseRefusesUpdateDeleteAndTruncate(string sql)
    {
        await fixture.AdminTokenAsync(); // its login is on record: the table is not empty
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(sql, connection, transaction);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Contains("append-only", refused.MessageText);
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task ConcurrentAppends_FromTwoApiInstances_KeepOneValidChain()
    {
        await using var second = new ApiHost(fixture.Cluster);
        var clients = new[] { fixture.CreateClient(), second.CreateClient() };
        var sends = Enumerable.Range(0, 40).Select(i => i % 4 == 0
            // Awaited security events and queued routine entries, interleaved on both instances.
            ? fixture.SendAsync(HttpMethod.Post, "/auth/login", clientIp: $"198.51.100.{i + 1}",
                body: new { username = "nobody", password = "wrong password here" }, http: clients[i % 2])
            : fixture.SendAsync(HttpMethod.Get, $"/concurrent/{i}", clientIp: $"198.51.100.{i + 1}", http: clients[i % 2]));
        var results = await Task.WhenAll(sends);

        foreach (var (_, requestId) in results)
        {
            await fixture.WaitForAsync(requestId);
        }

        await AssertValidAsync();
        var links = await fixture.QueryAsync(
            "SELECT count(*) AS broken FROM (SELECT prev_hash, lag(hash) OVER (ORDER BY id) AS previous FROM audit_log) c WHERE c.previous IS NOT NULL AND c.prev_hash <> c.previous");
        Assert.Equal(0L, links[0]["broken"]);
    }

    [Fact]
    public async Task SecurityEventFlood_IsCommittedInBatches_EachEventOnRecordBeforeItsAnswer_AndTheChainVerifies()
    {
        // Issue 10: a flood of security events (unauthenticated POSTs under /auth) must not cost one
        // transaction each, yet each stays its own chained row, stored before its answer leaves.
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            fixture.SendAsync(HttpMethod.Post, "/auth/logout", clientIp: $"198.51.100.{i + 100}")));

        var ids = new List<string>();
        foreach (var (response, requestId) in results)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotNull(await fixture.FindAsync(requestId)); // no waiting: it was on record before the 401 left
            ids.Add(requestId);
        }

        var transactions = await fixture.QueryAsync(
            "SELECT count(DISTINCT xmin::text) AS n FROM audit_log WHERE request_id = ANY($1)", new object[] { ids.ToArray() });
        Assert.True((long)transactions[0]["n"]! < ids.Count, $"{transactions[0]["n"]} transactions for {ids.Count} events");
        await AssertValidAsync();
    }
}
