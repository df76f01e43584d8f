using Microsoft.Net.Http.Headers;
using Surveillance.Api.Audit;
using Surveillance.Api.Errors;
using Surveillance.Storage;
using Surveillance.Videos;
using Surveillance.Audit;

namespace Surveillance.Api.Videos;

/// <summary>
/// Streams a video's original bytes, decrypting as it goes. A single <c>Range</c> decrypts only
/// the segments it needs (206); an unsatisfiable one is 416. A file that fails authentication
/// before the response starts is a 500; one that fails mid-stream aborts the connection, so a
/// client never receives altered bytes as content.
/// </summary>
public static class VideoContent
{
    public static async Task WriteAsync(HttpContext http, VideoInfo video, ContentKey key, VideoFiles files, ILogger logger)
    {
        var response = http.Response;
        await using var file = new FileStream(files.PathFor(video.ProjectId, video.VideoId), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        using var reader = await OpenAsync(http, file, video, key, logger, http.RequestAborted);
        var length = reader.PlaintextLength;
        var (offset, count) = (0L, length);
        response.Headers.AcceptRanges = "bytes";
        if (http.Request.GetTypedHeaders().Range is { Ranges.Count: 1 } range
            && range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            var requested = range.Ranges.Single();
            if (!ByteRange.TryResolve(requested.From, requested.To, length, out offset, out count))
            {
                // RFC 9110 §15.5.17: a 416 names the current length. The exception handler clears the
                // response before writing the problem, so the header travels with the exception.
                throw new HttpProblemException(StatusCodes.Status416RangeNotSatisfiable,
                    $"The range is outside the video's {length} bytes.", ErrorCodes.Validation)
                {
                    Headers = new Dictionary<string, string>
                    {
                        [HeaderNames.ContentRange] = new ContentRangeHeaderValue(length).ToString(),
                        [HeaderNames.AcceptRanges] = "bytes",
                    },
                };
            }

            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + count - 1, length).ToString();
        }

        response.ContentType = video.ContentType;
        response.ContentLength = count;
        response.Headers.CacheControl = "no-store";
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(video.Filename); // RFC 6266: an ASCII filename and a UTF-8 filename*
        response.Headers.ContentDisposition = disposition.ToString();
        try
        {
            await reader.CopyRangeToAsync(response.Body, offset, count, http.RequestAborted);
        }
        catch (VideoIntegrityException exception)
        {
            logger.LogCritical(exception, "Video {VideoId} failed its integrity check while streaming; the response was aborted", video.VideoId);
            AuditIntegrityFailure(http, video);
            http.Abort();
        }
    }

    private static void AuditIntegrityFailure(HttpContext http, VideoInfo video) =>
        http.Audit(AuditEvents.IntegrityFailure, sensitive: true,
            details: new Dictionary<string, string> { ["video_id"] = video.VideoId, ["project_id"] = video.ProjectId });

    private static async Task<EncryptedVideoReader> OpenAsync(HttpContext http, FileStream file, VideoInfo video, ContentKey key, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            return await EncryptedVideoReader.OpenAsync(
                file, key.DataKey, video.VideoId, video.ProjectId, Convert.FromHexString(key.FileKeyId), cancellationToken);
        }
        catch (VideoIntegrityException exception)
        {
            logger.LogCritical(exception, "Video {VideoId} failed its integrity check", video.VideoId);
            AuditIntegrityFailure(http, video);
            throw new HttpProblemException(StatusCodes.Status500InternalServerError,
                "The stored video failed its integrity check and is not served.");
        }
    }
}
