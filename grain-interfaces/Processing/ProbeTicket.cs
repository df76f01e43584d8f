using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>What a probe worker needs to read one stored video: where it is and its key.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.ProbeTicket")]
public sealed record ProbeTicket(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] ContentKey Key,
    [property: Id(2)] int Attempt);

/// <summary>What probing found: the media, or why the content is not a decodable video.</summary>
[GenerateSerializer, Immutable, Alias("surveillance.ProbeOutcome")]
public sealed record ProbeOutcome(
    [property: Id(0)] MediaInfo? Media,
    [property: Id(1)] string? Error)
{
    public static ProbeOutcome Succeeded(MediaInfo media) => new(media, null);

    public static ProbeOutcome Failed(string error) => new(null, error);
}
