namespace Surveillance.Processing;

/// <summary>Runs probes of stored videos on this silo.</summary>
public interface IVideoProber
{
    /// <summary>Asks for a probe of the video; a video already waiting is not queued twice.</summary>
    void Schedule(string videoId);
}
