using System.Net;
using Npgsql;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Processing.ProcessingFixture;

namespace Surveillance.Tests.Processing;

/// <summary>
/// Stored results are sealed (HMAC under <c>Results:HmacKey</c>): a row changed in the database,
/// outside the API, is detected when read — it is not served, and the failure is audited.
/// </summary>
[Collection(SharedProcessingCluster.Name)]
public sealed class FrameIntegrityTests(ProcessingFixture fixture)
{
    public static TheoryData<string> Tampering() => new()
    {
        "caption = 'nothing to see here'",
        "objects = '[]'",
        "timestamp_seconds = timestamp_seconds + 0.1",
        "model_version = 'forged'",
        "seal = decode(repeat('00', 32), 'hex')",
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task ResultRow_AlteredInTheDatabase_IsNotServed_AndIsAudited(string change)
    {
        var video = await fixture.NewProbedVideoAsync();
        var frameId = await PostOneFrameAsync(video, "a man climbing the fence");

        await TamperAsync($"UPDATE video_frames SET {change} WHERE frame_id = $1", frameId);
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/frame/{frameId}/metadata", video.ProcessorToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.Contains("integrity", problem["detail"]!.GetValue<string>());
        Assert.DoesNotContain("nothing to see here", problem.ToJsonString());
        Assert.Equal(1, await CountAsync(
            "SELECT count(*) FROM audit_log WHERE event = 'integrity_failure' AND details->>'frame_id' = $1", frameId));
    }

    [Fact]
    public async Task ResultRow_MovedToAnotherVideo_IsNotServedFromThere()
    {
        var victim = await fixture.NewProbedVideoAsync();
        var attacker = await fixture.NewProbedVideoAsync();
        var frameId = await PostOneFrameAsync(victim, "the real event");
        var forgedId = $"{attacker.VideoId}-000000";

        // A copy of a genuine, sealed row under another frame id, video and project.
        await TamperAsync(
            "INSERT INTO video_frames SELECT service_id, $2, $3, $4, seq, timestamp_seconds, caption, objects, model_version, created_at, seal, embedding " +
            "FROM video_frames WHERE frame_id = $1", frameId, forgedId, attacker.VideoId, attacker.ProjectId);
        var response = await fixture.CreateClient().SendAsync(HttpMethod.Get, $"/surveillance/frame/{forgedId}/metadata", attacker.ProcessorToken);

        await response.AssertProblemAsync(HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
    }

    [Fact]
    public async Task AlteredRow_IsLeftOutOfSearch_WhenTheIndexReloads_AndIsAudited()
    {
        var video = await fixture.NewProbedVideoAsync();
        var genuine = await PostOneFrameAsync(video, "a delivery van at the loading dock");
        await fixture.WaitUntilIndexedAsync(video, expected: 1);

        await TamperAsync("UPDATE video_frames SET caption = 'a delivery van at the loading dock, driver waved through' WHERE frame_id = $1", genuine);
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var results = await fixture.SearchAsync(video.ProcessorToken, new { query = "delivery van at the loading dock", project_id = video.ProjectId, threshold = 0 });

        Assert.Equal(0, results["total_results"]!.GetValue<int>());
        Assert.Equal(1, await CountAsync(
            "SELECT count(*) FROM audit_log WHERE event = 'integrity_failure' AND details->>'subject' = $1", $"frame {genuine}"));
    }

    private async Task<string> PostOneFrameAsync(ProbedVideo video, string caption)
    {
        var response = await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId,
            new { model_version = "m", frames = new[] { Frame(0.5, caption, Detected("person")) } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync())["frame_ids"]![0]!.GetValue<string>();
    }

    private static async Task TamperAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static async Task<long> CountAsync(string sql, string parameter)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
