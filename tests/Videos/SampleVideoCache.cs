using Surveillance.Tests.Storage;

namespace Surveillance.Tests.Videos;

/// <summary>The ffmpeg-made samples, encoded once per test run and kept in memory (their directory is removed).</summary>
public static class SampleVideoCache
{
    private static readonly Lazy<Task<SampleVideos>> Samples = new(async () =>
    {
        var samples = new SampleVideos();
        await samples.InitializeAsync();
        await samples.DisposeAsync();
        return samples;
    });

    public static Task<SampleVideos> GetAsync() => Samples.Value;
}
