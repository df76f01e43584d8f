using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Surveillance.Processing;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Processing;

/// <summary>
/// A submission of results retried after a failure replaces the rows the failed attempt stored
/// (FrameStore.InsertAsync): the caption embeddings that only those rows carried go with them,
/// as they do when a video is deleted — derived data of results that no longer exist is not kept.
/// </summary>
public sealed class FrameStoreRetryTests
{
    [Fact]
    public async Task RetriedSubmission_WithOtherCaptions_LeavesNoOrphanEmbedding_AndKeepsTheOnesStillCarried()
    {
        await TestDatabase.EnsureSchemaAsync();
        await using var dataSource = NpgsqlDataSource.Create(TestDatabase.ConnectionString);
        var store = new FrameStore(dataSource, Options.Create(new ClusterOptions { ServiceId = "retry-" + Guid.NewGuid().ToString("N") }));
        var (video, kept, dropped) = ("vid-" + Guid.NewGuid().ToString("N")[..12], "a red car at the gate", "a ladder left against the fence");
        var vector = Enumerable.Repeat(1 / MathF.Sqrt(384), 384).ToArray();

        await store.InsertAsync(video, 0, [Row(video, 0, kept), Row(video, 1, dropped)]);
        // The index embedded both before the attempt failed.
        await store.SaveCaptionEmbeddingsAsync([(FrameIndex.CaptionHash(kept), vector), (FrameIndex.CaptionHash(dropped), vector)]);
        await store.InsertAsync(video, 0, [Row(video, 0, kept)]);

        var left = await store.ReadCaptionEmbeddingsAsync([FrameIndex.CaptionHash(kept), FrameIndex.CaptionHash(dropped)]);
        Assert.Equal([Convert.ToHexString(FrameIndex.CaptionHash(kept))], left.Keys);
    }

    private static StoredFrame Row(string video, int sequence, string caption) =>
        new(FrameIds.For(video, sequence), video, "p", sequence, sequence * 0.5, caption, "[]", "m", DateTimeOffset.UnixEpoch, [1, 2, 3]);
}
