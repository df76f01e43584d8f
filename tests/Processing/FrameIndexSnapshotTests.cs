using System.Numerics.Tensors;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Surveillance.Processing;

namespace Surveillance.Tests.Processing;

/// <summary>
/// The search index's snapshot (issue 15 §4, the first search after a restart) in process: it
/// answers as the index it was taken from, and it is never trusted blindly — a byte changed, a
/// snapshot of another project or cluster, a video whose rows changed since are not taken from it.
/// </summary>
public sealed class FrameIndexSnapshotTests
{
    private const string Project = "north-gate";
    private const string Model = "test-model";
    private const int Dimensions = 384;

    [Fact]
    public void Snapshot_OpenedAgain_AnswersExactlyAsTheIndexItWasTakenFrom()
    {
        var (index, fingerprints, queries) = RandomIndex();
        var snapshot = Snapshots().Encode(Project, Model, index, Dimensions, fingerprints);

        var opened = new FrameIndex(Dimensions);
        var (opening, taken) = Snapshots().Decode(snapshot, Project, Model, opened, Dimensions, (_, _) => true);

        Assert.Equal(SnapshotOpening.Opened, opening);
        Assert.Equal(fingerprints.OrderBy(f => f.Key), taken.OrderBy(f => f.Key));
        Assert.Equal((index.Count, index.DistinctCaptions), (opened.Count, opened.DistinctCaptions));
        foreach (var search in queries)
        {
            var (before, after) = (index.Candidates(search, 10), opened.Candidates(search, 10));
            Assert.Equal(before.TotalMatches, after.TotalMatches);
            Assert.Equal(before.Ranked, after.Ranked);
            Assert.Equal(before.Undecided.Select(u => (Convert.ToHexString(u.Hash), u.ApproximateScore, u.Frames)),
                after.Undecided.Select(u => (Convert.ToHexString(u.Hash), u.ApproximateScore, u.Frames)));
        }
    }

    [Fact]
    public void ForgedSnapshot_AnyByteChangedWithoutTheKey_IsRefusedAsForged_AndNothingIsTaken()
    {
        var (index, fingerprints, _) = RandomIndex();
        var genuine = Snapshots().Encode(Project, Model, index, Dimensions, fingerprints);

        // A timestamp, a caption code, the header, the MAC itself; and a snapshot cut short.
        foreach (var at in new[] { genuine.Length / 2, genuine.Length - 100, 10, genuine.Length - 1 })
        {
            var forged = (byte[])genuine.Clone();
            forged[at] ^= 0x40;
            var opened = new FrameIndex(Dimensions);
            Assert.Equal(SnapshotOpening.Forged, Snapshots().Decode(forged, Project, Model, opened, Dimensions, (_, _) => true).Opening);
            Assert.Equal(0, opened.Count);
        }

        Assert.Equal(SnapshotOpening.Forged, Snapshots().Decode(genuine[..^4096], Project, Model, new FrameIndex(Dimensions), Dimensions, (_, _) => true).Opening);
    }

    [Fact]
    public void SnapshotOfAnotherProject_ReplayedUnderThisOne_IsNotTaken_NorOneOfAnotherClusterKey()
    {
        var (index, fingerprints, _) = RandomIndex();
        var snapshot = Snapshots().Encode("other-project", Model, index, Dimensions, fingerprints);

        var opened = new FrameIndex(Dimensions);
        Assert.Equal(SnapshotOpening.Other, Snapshots().Decode(snapshot, Project, Model, opened, Dimensions, (_, _) => true).Opening);
        Assert.Equal(0, opened.Count);
        Assert.Equal(SnapshotOpening.Other, Snapshots().Decode(snapshot, "other-project", "another-model", opened, Dimensions, (_, _) => true).Opening);
        Assert.Equal(SnapshotOpening.Forged, Snapshots(key: 2).Decode(snapshot, "other-project", Model, opened, Dimensions, (_, _) => true).Opening);
        Assert.Equal(0, opened.Count);
    }

    [Fact]
    public void VideoWhoseRowsChangedSinceTheSnapshot_IsNotTakenFromIt_TheOthersAre()
    {
        var (index, fingerprints, queries) = RandomIndex();
        var snapshot = Snapshots().Encode(Project, Model, index, Dimensions, fingerprints);

        var opened = new FrameIndex(Dimensions);
        var (_, taken) = Snapshots().Decode(snapshot, Project, Model, opened, Dimensions, (video, fingerprint) => video != "v1" && fingerprints[video] == fingerprint);

        Assert.DoesNotContain("v1", taken.Keys);
        index.RemoveVideo("v1");
        Assert.Equal(index.Count, opened.Count);
        Assert.Equal(index.Candidates(queries[0], 10).Ranked, opened.Candidates(queries[0], 10).Ranked);
    }

    [Fact]
    public void Fingerprint_ChangesWithAnySearchedFieldOrSealOfARow_AndWithRowsAddedOrReplaced()
    {
        var row = new StoredFrame("v-000001", "v", Project, 1, 0.5, "a red car", "[]", "m", DateTimeOffset.UnixEpoch, [1, 2, 3]);
        var tag = VideoFingerprint.Tag(row);
        Assert.All(
            new[] { row with { Caption = "a red van" }, row with { Timestamp = 0.25 }, row with { Sequence = 2 }, row with { ObjectsJson = "[{}]" }, row with { Seal = [1, 2, 4] },
                row with { Caption = "a red car[", ObjectsJson = "]" } },
            changed => Assert.NotEqual(tag, VideoFingerprint.Tag(changed)));
        var one = default(VideoFingerprint).With(tag);
        Assert.Equal(new VideoFingerprint(1, tag), one);
        Assert.NotEqual(one, one.With(tag));
    }

    private static FrameIndexSnapshots Snapshots(byte key = 1) => new(
        NpgsqlDataSource.Create("Host=127.0.0.1;Port=1"),
        Options.Create(new ClusterOptions { ServiceId = "svc" }),
        Options.Create(new ResultsOptions { HmacKey = Convert.ToBase64String(Enumerable.Range(key, 32).Select(i => (byte)(i * 7)).ToArray()) }));

    private static (FrameIndex Index, Dictionary<string, VideoFingerprint> Fingerprints, List<FrameSearch> Queries) RandomIndex()
    {
        var random = new Random(6);
        var vectors = Enumerable.Range(0, 300).Select(_ => Unit(random)).ToArray();
        var index = new FrameIndex(Dimensions);
        foreach (var c in new[] { "car", "person", "van" })
        {
            index.AddClass(c, Unit(random));
        }

        var fingerprints = new Dictionary<string, VideoFingerprint>(StringComparer.Ordinal);
        var classes = new[] { "car", "person", "van" };
        for (var i = 0; i < 3000; i++)
        {
            var (video, caption) = ($"v{i % 4}", random.Next(vectors.Length));
            var frame = new FrameInfo(FrameIds.For(video, i), video, Project, i * 0.5, $"caption {caption}",
                [new DetectedObject(classes[i % 3], 0.9, [0, 0, 1, 1])], "m", DateTimeOffset.UnixEpoch);
            index.Add(frame, i, index.HasCaption(frame.Caption) ? null : vectors[caption]);
            fingerprints[video] = (fingerprints.TryGetValue(video, out var f) ? f : default).With(random.NextInt64());
        }

        var queries = Enumerable.Range(0, 5)
            .Select(n => new FrameSearch(Normalized(vectors[n].Zip(Unit(random), (a, b) => a + (0.3f * b)).ToArray()), 10, 0.5, n == 1 ? ["van"] : [], n == 2 ? 100 : null, n == 2 ? 900 : null))
            .ToList();
        return (index, fingerprints, queries);
    }

    private static float[] Unit(Random random) => Normalized(Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray());

    private static float[] Normalized(float[] v)
    {
        var norm = TensorPrimitives.Norm<float>(v);
        return v.Select(x => x / norm).ToArray();
    }
}
