using System.Security.Claims;
using Surveillance.Api.Audit;
using Surveillance.Api.Errors;
using Surveillance.Api.Projects;
using Surveillance.Audit;
using Surveillance.Errors;
using Surveillance.Processing;
using Surveillance.Videos;

namespace Surveillance.Api.Processing;

/// <summary>
/// One frame as a reader may see it: its video decides access, so an outsider gets the same 404 as
/// for a frame that never existed. Shared by the frame's metadata and its image.
/// </summary>
public static class FrameAccess
{
    public static async Task<(VideoInfo Video, FrameInfo Frame)> ReadableFrameAsync(
        IGrainFactory grains, ClaimsPrincipal user, string frameId, HttpContext http)
    {
        if (!FrameIds.TryGetVideoId(frameId, out var videoId))
        {
            throw NoSuchFrame();
        }

        VideoInfo video;
        try
        {
            (video, _) = await ProjectAccess.ReadableVideoAsync(grains, user, videoId);
        }
        catch (DomainException missing) when (missing.Error == DomainError.NotFound)
        {
            throw NoSuchFrame();
        }

        var lookup = await grains.GetGrain<IVideoGrain>(video.VideoId).GetFrameAsync(frameId);
        if (lookup.IntegrityFailed)
        {
            http.Audit(AuditEvents.IntegrityFailure, details: new Dictionary<string, string> { ["frame_id"] = frameId, ["video_id"] = video.VideoId, ["project_id"] = video.ProjectId });
            throw new HttpProblemException(StatusCodes.Status500InternalServerError,
                "The stored frame failed its integrity check and is not served.");
        }

        return (video, lookup.Frame ?? throw NoSuchFrame());
    }

    private static DomainException NoSuchFrame() => DomainException.NotFound("No such frame.");
}
