namespace Surveillance.Hosting.FileWatching;

/// <summary>
/// A value made from files (certificates and keys), made again when the files' content changes:
/// every caller asks for <see cref="Current"/>, and at most once a second the files are compared
/// with what was loaded. So a renewal (cert-manager rewriting a mounted Secret) takes effect for
/// the next caller without a restart. A change that cannot be used — half written, unreadable, or
/// refused by the owner's check — is reported and the previous value stays in use.
/// </summary>
/// <remarks>
/// Content, not timestamps or file-system events: a Kubernetes Secret volume swaps a symlink,
/// which may keep the times and is missed by watchers of the files themselves.
/// </remarks>
public sealed class WatchedFiles<T> where T : class
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<string> _paths;
    private readonly Func<T> _load;
    private readonly Func<T, T, string?> _refusal;
    private readonly Func<Exception, bool> _isUnusableFile;
    private readonly Action<T> _reloaded;
    private readonly Action<string> _refused;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private T _current;
    private byte[] _loadedBytes;
    private long _checkedAt;

    /// <param name="paths">The files whose content decides when to load again.</param>
    /// <param name="load">Makes the value from the files; throws when they are unusable (at start-up the exception propagates).</param>
    /// <param name="refusal">Why a newly loaded value may not replace the current one (new, current), or null.</param>
    /// <param name="isUnusableFile">The exceptions of <paramref name="load"/> that mean "not usable (yet)", not a bug.</param>
    /// <param name="reloaded">Called with a new value once it is in use.</param>
    /// <param name="refused">Called with the reason when changed files could not be used.</param>
    /// <param name="time">The clock of the once-a-second check.</param>
    public WatchedFiles(
        IReadOnlyList<string> paths,
        Func<T> load,
        Func<T, T, string?> refusal,
        Func<Exception, bool> isUnusableFile,
        Action<T> reloaded,
        Action<string> refused,
        TimeProvider time)
    {
        _paths = paths;
        _load = load;
        _refusal = refusal;
        _isUnusableFile = isUnusableFile;
        _reloaded = reloaded;
        _refused = refused;
        _time = time;
        _loadedBytes = ReadAll();
        _current = load();
        _checkedAt = time.GetTimestamp();
    }

    /// <summary>The value of the files as they are now (checked at most once a second).</summary>
    public T Current
    {
        get
        {
            lock (_gate)
            {
                if (_time.GetElapsedTime(_checkedAt) >= CheckInterval)
                {
                    _checkedAt = _time.GetTimestamp();
                    ReloadIfChanged();
                }

                return _current;
            }
        }
    }

    private void ReloadIfChanged()
    {
        try
        {
            var bytes = ReadAll();
            if (bytes.AsSpan().SequenceEqual(_loadedBytes))
            {
                return;
            }

            var loaded = _load();
            var refusal = _refusal(loaded, _current);
            if (refusal is not null)
            {
                _refused(refusal);
                return;
            }

            _current = loaded;
            _loadedBytes = bytes;
            _reloaded(loaded);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || _isUnusableFile(e))
        {
            _refused(e.Message);
        }
    }

    private byte[] ReadAll() => [.. _paths.SelectMany(File.ReadAllBytes)];
}
