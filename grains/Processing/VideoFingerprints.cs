namespace Surveillance.Processing;

/// <summary>
/// The <see cref="VideoFingerprint"/> of what a project's index holds of each video, kept as frames
/// are added: the snapshot records it, and a later activation takes a video from the snapshot only
/// while its indexed rows still have it. A video one of whose frames was replaced (a retried
/// submission) has no known fingerprint until it is read from its rows again: the seal it replaced
/// is not kept.
/// </summary>
internal sealed class VideoFingerprints
{
    private readonly Dictionary<string, VideoFingerprint?> _videos = new(StringComparer.Ordinal);

    public int Count => _videos.Count;

    public IEnumerable<string> Videos => _videos.Keys;

    public bool Holds(string videoId) => _videos.ContainsKey(videoId);

    public void Loaded(string videoId, VideoFingerprint fingerprint) => _videos[videoId] = fingerprint;

    public void Added(string videoId, long tag, bool replaced)
    {
        var known = _videos.TryGetValue(videoId, out var current);
        _videos[videoId] = replaced || (known && current is null) ? null : (current ?? default).With(tag);
    }

    public void Forget(string videoId) => _videos.Remove(videoId);

    /// <summary>The videos whose fingerprint is known: what a snapshot can hold.</summary>
    public Dictionary<string, VideoFingerprint> Known() =>
        _videos.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!.Value, StringComparer.Ordinal);
}
