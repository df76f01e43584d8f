namespace Surveillance.Videos;

/// <summary>
/// Re-wraps every video's data key under the active master key. Only the small wrapped keys are
/// rewritten, never the video bytes; afterwards a master key no video uses can be removed. The
/// accounts' sealed TOTP secrets are rewrapped as well (they are not counted as videos).
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

        // TOTP secrets are sealed under the same master keys: rewrap them too, so that a retired key can go.
        foreach (var username in await GrainFactory.GetGrain<Identity.IUserDirectoryGrain>(0).ListUsernamesAsync())
        {
            await GrainFactory.GetGrain<Identity.IUserGrain>(username).RewrapMfaSecretAsync();
        }

        return new KeyRotationResult(keys.ActiveKeyId, rewrapped);
    }
}
