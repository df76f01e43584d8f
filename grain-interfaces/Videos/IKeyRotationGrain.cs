namespace Surveillance.Videos;

/// <summary>Re-wraps every video key under the active master key (key 0, one rotation at a time).</summary>
[Alias("surveillance.IKeyRotationGrain")]
public interface IKeyRotationGrain : IGrainWithIntegerKey
{
    [Alias("RotateAsync")] Task<KeyRotationResult> RotateAsync();
}

[GenerateSerializer, Immutable, Alias("surveillance.KeyRotationResult")]
public sealed record KeyRotationResult(
    [property: Id(0)] string ActiveKeyId,
    [property: Id(1)] int Rewrapped);
