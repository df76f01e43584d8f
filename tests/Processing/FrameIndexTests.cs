using Surveillance.Processing;

namespace Surveillance.Tests.Processing;

/// <summary>The in-memory search of one project, with hand-made unit vectors in three dimensions.</summary>
public sealed class FrameIndexTests
{
    private static readonly float[] North = [1, 0, 0];
    private static readonly float[] East = [0, 1, 0];
    private static readonly float[] Up = [0, 0, 1];
    private static readonly float[] NorthEast = [0.8f, 0.6f, 0];

    [Fact]
    public void Search_RanksByCosine_AppliesTheThreshold_AndCountsAllMatchesBeyondTheLimit()
    {
        var index = IndexOf(("f1", "v1", 1, North, []), ("f2", "v1", 2, NorthEast, []), ("f3", "v1", 3, East, []), ("f4", "v2", 4, Up, []));

        var page = index.Search(Query(North, limit: 1, threshold: 0.5));

        Assert.Equal(2, page.TotalMatches);
        var hit = Assert.Single(page.Hits);
        Assert.Equal("f1", hit.FrameId);
        Assert.Equal(1.0, hit.Score);
        Assert.Equal(["f1", "f2"], index.Search(Query(North, limit: 10, threshold: 0.5)).Hits.Select(h => h.FrameId));
    }

    [Fact]
    public void ObjectClass_ScoresLikeTheCaption_TheBetterOfTheTwoCounts()
    {
        var index = new FrameIndex(3);
        index.AddClass("car", North);
        index.Add(Frame("f1", "v1", 0, "car"), "a.mp4", Up);

        var hit = Assert.Single(index.Search(Query(North, limit: 10, threshold: 0.9)).Hits);

        Assert.Equal("f1", hit.FrameId);
        Assert.Equal(1.0, hit.Score);
    }

    [Fact]
    public void Filters_ByClass_CaseInsensitively_AndByTimeWindow_Inclusive()
    {
        var index = IndexOf(("f1", "v1", 1, North, ["Person"]), ("f2", "v1", 2, North, ["car"]), ("f3", "v1", 3, North, ["person", "car"]));

        Assert.Equal(["f1", "f3"], index.Search(Query(North, objects: ["PERSON"])).Hits.Select(h => h.FrameId).Order());
        Assert.Equal(["f2", "f3"], index.Search(Query(North, start: 2, end: 3)).Hits.Select(h => h.FrameId).Order());
        Assert.Equal(["f1"], index.Search(Query(North, end: 1.5)).Hits.Select(h => h.FrameId));
    }

    [Fact]
    public void NegativeSimilarity_IsClampedToZero_AndStillMatchesThresholdZero()
    {
        var index = IndexOf(("f1", "v1", 0, [-1, 0, 0], []));

        var hit = Assert.Single(index.Search(Query(North, threshold: 0)).Hits);

        Assert.Equal(0.0, hit.Score);
    }

    [Fact]
    public void RemoveVideo_DropsItsFrames_AndKeepsTheOthersSearchable()
    {
        var index = IndexOf(("a1", "va", 0, North, []), ("b1", "vb", 0, East, []), ("a2", "va", 1, NorthEast, []), ("b2", "vb", 1, Up, []));

        index.RemoveVideo("va");

        Assert.Equal(2, index.Count);
        Assert.False(index.Contains("a1"));
        Assert.Equal(["b1", "b2"], index.Search(Query(North, threshold: 0)).Hits.Select(h => h.FrameId).Order());
        Assert.Equal("b1", index.Search(Query(East, limit: 1)).Hits[0].FrameId);
        Assert.Equal("b2", index.Search(Query(Up, limit: 1)).Hits[0].FrameId);
    }

    [Fact]
    public void AddingAFrameTwice_KeepsOneCopy()
    {
        var index = IndexOf(("f1", "v1", 0, North, []));

        index.Add(Frame("f1", "v1", 0), "a.mp4", North);

        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void VectorOfTheWrongDimension_IsRefused()
    {
        var index = new FrameIndex(3);

        Assert.Throws<ArgumentException>(() => index.Add(Frame("f1", "v1", 0), "a.mp4", [1, 0]));
        Assert.Throws<ArgumentException>(() => index.Search(Query([1, 0, 0, 0])));
    }

    [Fact]
    public void GrowsPastItsInitialCapacity()
    {
        var index = new FrameIndex(3);
        for (var i = 0; i < 1000; i++)
        {
            index.Add(Frame($"f{i:D4}", "v1", i), "a.mp4", i == 777 ? North : East);
        }

        Assert.Equal("f0777", index.Search(Query(North, limit: 1)).Hits[0].FrameId);
    }

    private static FrameIndex IndexOf(params (string Id, string Video, double Time, float[] Vector, string[] Classes)[] frames)
    {
        var index = new FrameIndex(3);
        foreach (var c in frames.SelectMany(f => f.Classes).Select(FrameIndex.ClassKey).Distinct())
        {
            index.AddClass(c, Up);
        }

        foreach (var f in frames)
        {
            index.Add(Frame(f.Id, f.Video, f.Time, f.Classes), f.Video + ".mp4", f.Vector);
        }

        return index;
    }

    private static FrameInfo Frame(string id, string videoId, double time, params string[] classes) =>
        new(id, videoId, "p", time, "caption " + id, classes.Select(c => new DetectedObject(c, 0.9, [0, 0, 1, 1])).ToList(), "m", DateTimeOffset.UnixEpoch);

    private static FrameSearch Query(float[] vector, int limit = 10, double threshold = 0.5, string[]? objects = null, double? start = null, double? end = null) =>
        new(vector, limit, threshold, objects ?? [], start, end);
}
