using System.Net;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Npgsql;
using Surveillance.Processing;
using Surveillance.Tests.Infrastructure;
using static Surveillance.Tests.Processing.ProcessingFixture;

namespace Surveillance.Tests.Processing;

/// <summary>
/// The search index of issue 15 §4 end to end (int8 candidates, exact rescoring from the stored
/// rows, one embedding per distinct caption): its answers are those of an exact float32 scan, it
/// survives a reactivation unchanged, and what is stored beside the frames (the caption embeddings)
/// is never trusted into a wrong answer.
/// </summary>
[Collection(SharedProcessingCluster.Name)]
public sealed class SearchIndexTests(ProcessingFixture fixture)
{
    private static readonly (string Caption, string Class)[] Scenes =
    [
        ("a red car parked near the north gate", "car"),
        ("a red car parked near the north gate", "car"),
        ("a silver van reversing at the loading dock", "van"),
        ("a man in a dark hoodie climbing the perimeter fence at night", "person"),
        ("a woman with a pushchair waiting at the bus stop", "person"),
        ("a delivery driver dropping a parcel at the side door", "person"),
        ("a black motorcycle speeding on the access road", "motorcycle"),
        ("a fox crossing the empty car park", "animal"),
        ("two people arguing by the cash machine", "person"),
        ("a white lorry blocking the exit", "truck"),
        ("a cyclist in a yellow jacket riding on the pavement", "bicycle"),
        ("a dog sleeping on the office carpet", "dog"),
    ];

    [Theory]
    [InlineData("red car at the gate", 0.0, null)]
    [InlineData("someone climbing a fence in the dark", 0.3, null)]
    [InlineData("vehicle blocking the way out", 0.2, null)]
    [InlineData("a person at the door", 0.1, "person")]
    public async Task Search_GivesTheHitsScoresOrderAndCount_OfAnExactFloat32Scan(string query, double threshold, string? only)
    {
        var video = await VideoWithScenesAsync();
        using var embedder = new MiniLmTextEmbedder(Options.Create(new ProcessingOptions()));
        var captionVectors = await embedder.EmbedAsync(Scenes.Select(s => s.Caption).ToList());
        var classVectors = await embedder.EmbedAsync(Scenes.Select(s => s.Class).ToList());
        var queryVector = (await embedder.EmbedAsync([query]))[0];
        var expected = Scenes
            .Select((s, i) => (Sequence: i, s.Class,
                Score: Math.Clamp((double)Math.Max(TensorPrimitives.Dot<float>(queryVector, captionVectors[i]), TensorPrimitives.Dot<float>(queryVector, classVectors[i])), 0, 1)))
            .Where(s => s.Score >= threshold && (only is null || s.Class == only))
            .OrderByDescending(s => s.Score).ThenBy(s => s.Sequence)
            .ToList();

        var results = await fixture.SearchAsync(video.ProcessorToken, new
        {
            query, project_id = video.ProjectId, threshold, limit = 5, detected_objects = only is null ? null : new[] { only },
        });

        // The hits are rescored exactly, and the captions near the threshold decided exactly: the count is an exact scan's.
        Assert.Equal(Enumerable.Range(0, Scenes.Length).Count(i => Exact(i) >= threshold), results["total_results"]!.GetValue<int>());
        var hits = results["results"]!.AsArray();
        Assert.Equal(expected.Take(5).Select(e => FrameIds.For(video.VideoId, e.Sequence)), hits.Select(h => h!["frame_id"]!.GetValue<string>()));
        AssertScores(expected.Take(5).Select(e => e.Score), hits.Select(h => h!["similarity_score"]!.GetValue<double>()));

        double Exact(int i) => (only is null || Scenes[i].Class == only)
            ? Math.Clamp((double)Math.Max(TensorPrimitives.Dot<float>(queryVector, captionVectors[i]), TensorPrimitives.Dot<float>(queryVector, classVectors[i])), 0, 1)
            : -1;
    }

    [Fact]
    public async Task Index_RebuiltOnReactivation_AnswersExactlyAsBefore()
    {
        var video = await VideoWithScenesAsync();
        var body = new { query = "a vehicle at the loading dock", project_id = video.ProjectId, threshold = 0, limit = 100 };
        var before = await fixture.SearchAsync(video.ProcessorToken, body);

        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await fixture.SearchAsync(video.ProcessorToken, body);

        Assert.Equal(Scenes.Length, after["total_results"]!.GetValue<int>());
        Assert.Equal(before["results"]!.ToJsonString(), after["results"]!.ToJsonString());
    }

    [Fact]
    public async Task Index_OpenedFromItsSnapshotAfterReactivation_WithoutReadingTheRows_AnswersExactlyAsBefore()
    {
        var video = await VideoWithScenesAsync();
        var body = new { query = "someone climbing a fence in the dark", project_id = video.ProjectId, threshold = 0.2, limit = 5 };
        var before = await fixture.SearchAsync(video.ProcessorToken, body);

        await ReactivateWithSnapshotAsync(video.ProjectId);
        var after = await fixture.SearchAsync(video.ProcessorToken, body);

        Assert.Equal(before["total_results"]!.GetValue<int>(), after["total_results"]!.GetValue<int>());
        Assert.Equal(before["results"]!.ToJsonString(), after["results"]!.ToJsonString());
        var status = await fixture.Cluster.Client.GetGrain<IFrameIndexGrain>(video.ProjectId).GetStatusAsync();
        Assert.Equal((Scenes.Length, Scenes.Length), (status.IndexedFrames, status.SnapshotFrames));
    }

    [Fact]
    public async Task ForgedSnapshotInTheDatabase_IsIgnoredAndAudited_TheIndexIsRebuiltFromTheSealedRows()
    {
        var video = await VideoWithScenesAsync();
        var body = new { query = "a vehicle at the loading dock", project_id = video.ProjectId, threshold = 0, limit = 100 };
        var before = await fixture.SearchAsync(video.ProcessorToken, body);
        await ReactivateWithSnapshotAsync(video.ProjectId);

        // Whoever can write the database, but lacks the key, changes the stored snapshot (a bit of the last frame's time).
        await ExecuteAsync(
            "UPDATE frame_index_snapshots SET data = overlay(data placing decode(lpad(to_hex(get_byte(data, length(data) - 41) # 1), 2, '0'), 'hex') " +
            "from length(data) - 40 for 1) WHERE project_id = $1", video.ProjectId);
        var after = await fixture.SearchAsync(video.ProcessorToken, body);

        Assert.Equal(before["results"]!.ToJsonString(), after["results"]!.ToJsonString());
        var status = await fixture.Cluster.Client.GetGrain<IFrameIndexGrain>(video.ProjectId).GetStatusAsync();
        Assert.Equal((Scenes.Length, 0), (status.IndexedFrames, status.SnapshotFrames));
        Assert.True(await ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE event = 'integrity_failure' AND details->>'project_id' = $1 AND details->>'subject' = 'search index snapshot'", video.ProjectId) >= 1);
    }

    [Fact]
    public async Task RowsDeletedBehindTheSnapshot_AreNotCountedAfterReactivation_TheVideoIsReadFromItsRowsAgain()
    {
        var video = await VideoWithScenesAsync();
        await ReactivateWithSnapshotAsync(video.ProjectId);

        await ExecuteAsync("DELETE FROM video_frames WHERE frame_id = $1", FrameIds.For(video.VideoId, 2));
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await fixture.SearchAsync(video.ProcessorToken,
            new { query = "a vehicle at the loading dock", project_id = video.ProjectId, threshold = 0, limit = 100 });

        Assert.Equal(Scenes.Length - 1, after["total_results"]!.GetValue<int>());
        Assert.DoesNotContain(after["results"]!.AsArray(), h => h!["frame_id"]!.GetValue<string>() == FrameIds.For(video.VideoId, 2));
        var status = await fixture.Cluster.Client.GetGrain<IFrameIndexGrain>(video.ProjectId).GetStatusAsync();
        Assert.Equal((Scenes.Length - 1, 0), (status.IndexedFrames, status.SnapshotFrames));
    }

    [Fact]
    public async Task CorruptedCaptionEmbedding_IsComputedAgainOnReload_NeverServedAsAWrongScore()
    {
        var video = await VideoWithScenesAsync();
        var body = new { query = "a fox in the car park", project_id = video.ProjectId, threshold = 0, limit = 3 };
        var genuine = await fixture.SearchAsync(video.ProcessorToken, body);

        // Not a vector at all, and a vector of the right size that is not a unit embedding.
        await ExecuteAsync("UPDATE caption_embeddings SET embedding = '\\x0102' WHERE caption_hash = sha256(convert_to($1, 'UTF8'))", Scenes[7].Caption);
        await ExecuteAsync("UPDATE caption_embeddings SET embedding = decode(repeat('00', 1536), 'hex') WHERE caption_hash = sha256(convert_to($1, 'UTF8'))", Scenes[6].Caption);
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var reloaded = await fixture.SearchAsync(video.ProcessorToken, body);

        var ids = (JsonNode page) => page["results"]!.AsArray().Select(h => h!["frame_id"]!.GetValue<string>()).ToList();
        var scores = (JsonNode page) => page["results"]!.AsArray().Select(h => h!["similarity_score"]!.GetValue<double>());
        Assert.Equal(ids(genuine), ids(reloaded));
        AssertScores(scores(genuine), scores(reloaded));
        Assert.Equal(1536, await ScalarAsync<int>("SELECT length(embedding) FROM caption_embeddings WHERE caption_hash = sha256(convert_to($1, 'UTF8'))", Scenes[7].Caption));
    }

    [Fact]
    public async Task AlteredRow_IsNotServedBySearch_WhileTheIndexIsLoaded()
    {
        var video = await VideoWithScenesAsync();
        var frameId = FrameIds.For(video.VideoId, 3);

        await ExecuteAsync("UPDATE video_frames SET caption = 'nothing to see here' WHERE frame_id = $1", frameId);
        var results = await fixture.SearchAsync(video.ProcessorToken,
            new { query = "someone climbing the fence at night", project_id = video.ProjectId, threshold = 0, limit = 100 });

        var hits = results["results"]!.AsArray();
        Assert.DoesNotContain(hits, h => h!["frame_id"]!.GetValue<string>() == frameId);
        Assert.DoesNotContain("nothing to see here", results.ToJsonString());
        Assert.Equal(Scenes.Length - 1, hits.Count);
    }

    [Fact]
    public async Task DeletedVideo_TakesTheEmbeddingsOfCaptionsOnlyItCarried_AndKeepsSharedOnes()
    {
        var kept = await VideoWithScenesAsync();
        var deleted = await fixture.NewProbedVideoAsync();
        const string own = "a grey estate car idling by the generator after closing time";
        var response = await fixture.PostResultsAsync(deleted.ProcessorToken, deleted.VideoId, new
        {
            model_version = "m",
            frames = new[] { Frame(0.1, own, Detected("car")), Frame(0.2, Scenes[0].Caption, Detected("car")) },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await fixture.WaitUntilIndexedAsync(deleted, expected: 2);
        Assert.Equal(1, await CountEmbeddingsAsync(own));

        var admin = await fixture.AdminTokenOnceAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.CreateClient().SendAsync(HttpMethod.Delete, $"/surveillance/videos/{deleted.VideoId}", admin)).StatusCode);

        Assert.Equal(0, await CountEmbeddingsAsync(own));
        Assert.Equal(1, await CountEmbeddingsAsync(Scenes[0].Caption));
        var results = await fixture.SearchAsync(admin, new { query = "red car at the gate", project_id = kept.ProjectId, threshold = 0.5, limit = 100 });
        Assert.Equal(2, results["results"]!.AsArray().Count(h => h!["caption"]!.GetValue<string>() == Scenes[0].Caption));
    }

    /// <summary>Equal to the rounding of API.md's four decimals (a text embedded in another batch may differ in its last bits).</summary>
    private static void AssertScores(IEnumerable<double> expected, IEnumerable<double> actual)
    {
        var (e, a) = (expected.ToList(), actual.ToList());
        Assert.Equal(e.Count, a.Count);
        Assert.All(e.Zip(a), pair => Assert.InRange(Math.Abs(Math.Round(pair.First, 4) - pair.Second), 0, 0.00015));
    }

    private async Task<ProbedVideo> VideoWithScenesAsync()
    {
        var video = await fixture.NewProbedVideoAsync();
        var response = await fixture.PostResultsAsync(video.ProcessorToken, video.VideoId, new
        {
            model_version = "m",
            frames = Scenes.Select((s, i) => Frame(0.05 * i, s.Caption, Detected(s.Class))).ToArray(),
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await fixture.WaitUntilIndexedAsync(video, expected: Scenes.Length);
        return video;
    }

    /// <summary>Deactivates every grain (the index writes its snapshot as it goes) and waits until the project's snapshot is stored.</summary>
    private async Task ReactivateWithSnapshotAsync(string projectId)
    {
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await ScalarAsync<long>("SELECT count(*) FROM frame_index_snapshots WHERE project_id = $1", projectId) == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the index should write its snapshot on deactivation");
            await Task.Delay(200);
        }
    }

    private static Task<long> CountEmbeddingsAsync(string caption) =>
        ScalarAsync<long>("SELECT count(*) FROM caption_embeddings WHERE caption_hash = sha256(convert_to($1, 'UTF8'))", caption);

    private static async Task ExecuteAsync(string sql, string parameter)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        Assert.True(await command.ExecuteNonQueryAsync() >= 1);
    }

    private static async Task<T> ScalarAsync<T>(string sql, string parameter)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
