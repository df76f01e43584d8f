namespace Surveillance.Storage;

/// <summary>
/// Where encrypted videos live: <c>&lt;root&gt;/&lt;project&gt;/&lt;video&gt;.svv</c>. Ids are validated
/// before they reach here (lower-case <c>[a-z0-9_-]</c> projects, hex videos), so no id can
/// leave the root. Uploads are written under a temporary name and renamed when complete, so a
/// reader never sees a partial file.
/// </summary>
public sealed class VideoFiles(string root)
{
    public const string Extension = ".svv";

    public string Root { get; } = Path.GetFullPath(root);

    public string PathFor(string projectId, string videoId) =>
        Path.Combine(Root, projectId, videoId + Extension);

    public string TemporaryPathFor(string projectId, string videoId) =>
        Path.Combine(Root, projectId, $".{videoId}.{Guid.NewGuid():N}.partial");

    public void EnsureProjectDirectory(string projectId) => Directory.CreateDirectory(Path.Combine(Root, projectId));

    /// <summary>Deletes the stored file if it exists; the key, not this, is what makes copies unreadable.</summary>
    public void Delete(string projectId, string videoId) => File.Delete(PathFor(projectId, videoId));
}
