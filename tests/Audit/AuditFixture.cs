using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Surveillance.Api.Http;
using Surveillance.Silo.Schema;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Audit;

/// <summary>
/// A cluster and an API on a database of their own, created for this fixture and dropped after:
/// the audit chain is global to a database, and other fixtures (with other audit keys) or a
/// tampering test would otherwise make each other's chains look broken.
/// </summary>
public class AuditFixture : IAsyncLifetime
{
    public const int SearchLimit = 2;

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);
    private Task<string>? _adminToken;

    public string DatabaseName { get; } = "audit_" + Guid.NewGuid().ToString("N")[..12];
    public string ConnectionString { get; private set; } = "";
    public TestCluster Cluster { get; private set; } = null!;
    public ApiHost Api { get; private set; } = null!;

    public HttpClient CreateClient() => Api.CreateClient();

    /// <summary>One admin login per fixture (logins are rate limited per IP).</summary>
    public Task<string> AdminTokenAsync() => _adminToken ??= CreateClient().LoginAsync("admin", TestSettings.AdminPassword);

    public static string NewRequestId() => "audit-" + Guid.NewGuid().ToString("N");

    public async Task InitializeAsync()
    {
        // The services run on the runtime role; this fixture's own reads and tampering use the
        // owner's connection (ConnectionString), as a database administrator would.
        var server = new NpgsqlConnectionStringBuilder(TestDatabase.OwnerConnectionString);
        await ExecuteOnServerAsync(server, $"CREATE DATABASE \"{DatabaseName}\"");
        ConnectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = DatabaseName }.ConnectionString;
        var runtime = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Database = DatabaseName }.ConnectionString;
        await SchemaMigrator.ApplyAsync(ConnectionString, SchemaMigrator.RoleOf(runtime), NullLogger.Instance);
        Cluster = await TestCluster.StartAsync(new TestSettings
        {
            Overrides =
            {
                ["ConnectionStrings:Orleans"] = runtime,
                // A small search limit, so that a test can meet a 429; nothing else here searches.
                ["RateLimiting:Rules:search:Limit"] = SearchLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // The edge's refusals are audited as one row per client per period: a short period here.
                ["RateLimiting:RefusalAuditSeconds"] = "1",
            },
        });
        Api = new ApiHost(Cluster);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Api.DisposeAsync();
            await Cluster.DisposeAsync();
        }
        finally
        {
            await using (var connection = new NpgsqlConnection(ConnectionString))
            {
                NpgsqlConnection.ClearPool(connection);
            }

            await ExecuteOnServerAsync(new NpgsqlConnectionStringBuilder(TestDatabase.OwnerConnectionString),
                $"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)");
        }
    }

    /// <summary>Sends a request with a known request id, client IP and User-Agent.</summary>
    public async Task<(HttpResponseMessage Response, string RequestId)> SendAsync(HttpMethod method, string path,
        string? token = null, string clientIp = "192.0.2.10", string userAgent = "audit-tests/1.0", object? body = null, HttpClient? http = null)
    {
        var requestId = NewRequestId();
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(RequestIdMiddleware.Header, requestId);
        request.Headers.Add(ApiHost.ClientIpHeader, clientIp);
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return (await (http ?? CreateClient()).SendAsync(request), requestId);
    }

    /// <summary>The stored row of a request, or null: read once, without waiting.</summary>
    public async Task<Dictionary<string, object?>?> FindAsync(string requestId)
    {
        var rows = await QueryAsync("SELECT * FROM audit_log WHERE request_id = $1", requestId);
        return rows.Count switch
        {
            0 => null,
            1 => rows[0],
            _ => throw new Xunit.Sdk.XunitException($"{rows.Count} audit rows for one request {requestId}"),
        };
    }

    /// <summary>Waits (bounded) for a routine entry, which the background writer stores shortly after the response.</summary>
    public async Task<Dictionary<string, object?>> WaitForAsync(string requestId)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            if (await FindAsync(requestId) is { } row)
            {
                return row;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no audit entry for request {requestId} within {WaitLimit}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits (bounded) until the aggregate rows of the edge's refusals of CLIENT count at least MINIMUM; returns the last.</summary>
    public async Task<Dictionary<string, object?>> WaitForRefusalsAsync(string client, int minimum)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var rows = await QueryAsync("SELECT * FROM audit_log WHERE client_ip = $1 AND request_id LIKE 'edge-refusals-%' ORDER BY id", client);
            var counted = rows.Sum(r => RefusalCount((string)r["details"]!));
            if (counted >= minimum)
            {
                return rows[^1];
            }

            Assert.True(DateTime.UtcNow < deadline, $"no aggregate refusal rows counting {minimum} for {client} within {WaitLimit}");
            await Task.Delay(100);
        }
    }

    private static int RefusalCount(string details)
    {
        using var json = System.Text.Json.JsonDocument.Parse(details);
        return int.Parse(json.RootElement.GetProperty("count").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<Dictionary<string, object?>>> QueryAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount)
                .ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        }

        return rows;
    }

    /// <summary>
    /// Runs SQL with the append-only trigger switched off, as the table's owner (or a superuser)
    /// can: what an attacker with full database access can do.
    /// </summary>
    public async Task TamperAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; " + sql
            + "; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;", connection, transaction);
        await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private static async Task ExecuteOnServerAsync(NpgsqlConnectionStringBuilder server, string sql)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
