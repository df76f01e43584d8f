namespace Surveillance.Processing;

/// <summary>
/// Decodes pictures of stored videos on the silo that receives the call (a stateless worker), with
/// that silo's bounded decoder and in-memory cache. The caller has already checked access.
/// </summary>
[Alias("surveillance.IFrameImageGrain")]
public interface IFrameImageGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The JPEG of the video at <see cref="FrameImageRequest.Timestamp"/>. A Conflict refusal when
    /// the video cannot be decoded there; an Unavailable one when decoding is saturated.
    /// </summary>
    [Alias("RenderAsync")] Task<byte[]> RenderAsync(FrameImageRequest request);
}

/// <summary>One picture: the video, the time in seconds, and the width (null: the video's own).</summary>
[GenerateSerializer, Immutable, Alias("surveillance.FrameImageRequest")]
public sealed record FrameImageRequest(
    [property: Id(0)] string VideoId,
    [property: Id(1)] string ProjectId,
    [property: Id(2)] double Timestamp,
    [property: Id(3)] int? Width);
