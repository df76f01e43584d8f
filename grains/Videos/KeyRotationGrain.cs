namespace Surveillance.Videos;

/// <summary>
/// Re-wraps every video's data key under the active master key. Only the small wrapped keys are
/// rewritten, never the video bytes; afterwards a master key no video uses can be removed.
/// </summary>
public sealed class KeyRotationGrain(MasterKeyRing keys) : Grain, IKeyRotationGrain
{
    public async Task<KeyRotationResult> RotateAsync()
    {
        var rewrapped = 0;
        foreach (var projectId in await GrainFactory.GetGrain<IProjectDirectoryGrain>(0).ListAsync())
        {
            var project = await GrainFactory.GetGrain<IProjectGrain>(projectId).GetAsync();
            foreach (var videoId in project?.VideoIds ?? [])
            {
                if (await GrainFactory.GetGrain<IVideoGrain>(videoId).RewrapAsync())
                {
                    rewrapped++;
                }
            }
        }

        return new KeyRotationResult(keys.ActiveKeyId, rewrapped);
    }
}
