using System.Globalization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Surveillance.Errors;
using Surveillance.Storage;
using Surveillance.Videos;

namespace Surveillance.Processing;

/// <summary>
/// Frame images on one silo. Decoding is bounded (availability is security): at most
/// <c>Processing:MaxConcurrentDecodes</c> ffmpeg processes, a request that cannot get a slot within
/// <c>DecodeQueueSeconds</c> is shed with 503, and a decode is killed after <c>DecodeTimeoutSeconds</c>.
/// Decoded images are kept only in memory, in a cache bounded to <c>FrameCacheMegabytes</c>.
/// </summary>
public sealed class FrameImages : IDisposable
{
    private readonly IDecryptedVideoViews _views;
    private readonly FfmpegFrameGrabber _grabber;
    private readonly IIntegrityFailureAudit _integrity;
    private readonly ProcessingOptions _settings;
    private readonly ILogger<FrameImages> _logger;
    private readonly SemaphoreSlim _decoders;
    private readonly MemoryCache _cache;

    public FrameImages(
        IDecryptedVideoViews views,
        FfmpegFrameGrabber grabber,
        IIntegrityFailureAudit integrity,
        IOptions<ProcessingOptions> options,
        ILogger<FrameImages> logger)
    {
        (_views, _grabber, _integrity, _settings, _logger) = (views, grabber, integrity, options.Value, logger);
        _decoders = new SemaphoreSlim(_settings.MaxConcurrentDecodes, _settings.MaxConcurrentDecodes);
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = (long)_settings.FrameCacheMegabytes * 1024 * 1024 });
    }

    /// <summary>The JPEG, from the cache or decoded; <paramref name="contentKey"/> is asked for only when decoding.</summary>
    public async Task<byte[]> RenderAsync(FrameImageRequest request, Func<Task<ContentKey>> contentKey)
    {
        var cacheKey = string.Create(CultureInfo.InvariantCulture,
            $"{request.VideoId}/{Math.Round(request.Timestamp * 1000)}/{request.Width}");
        if (_cache.TryGetValue(cacheKey, out byte[]? cached) && cached is not null)
        {
            return cached;
        }

        if (!await _decoders.WaitAsync(TimeSpan.FromSeconds(_settings.DecodeQueueSeconds)))
        {
            throw DomainException.Unavailable("Every frame decoder is busy; retry shortly.");
        }

        try
        {
            var image = await DecodeAsync(request, await contentKey());
            _cache.Set(cacheKey, image, new MemoryCacheEntryOptions { Size = image.Length, SlidingExpiration = TimeSpan.FromHours(1) });
            return image;
        }
        finally
        {
            _decoders.Release();
        }
    }

    public void Dispose()
    {
        _cache.Dispose();
        _decoders.Dispose();
    }

    private async Task<byte[]> DecodeAsync(FrameImageRequest request, ContentKey key)
    {
        var lifetime = TimeSpan.FromSeconds(_settings.DecodeTimeoutSeconds + 5);
        try
        {
            await using var view = await _views.OpenAsync(request.VideoId, request.ProjectId, key, lifetime, CancellationToken.None);
            var image = await _grabber.GrabAsync(view.Url, request.Timestamp, request.Width, CancellationToken.None);
            if (view.IntegrityFailed)
            {
                throw new VideoIntegrityException("A segment of the video failed authentication while ffmpeg read it.");
            }

            return image ?? throw DomainException.Conflict("The video cannot be decoded at that time.");
        }
        catch (TimeoutException)
        {
            throw DomainException.Unavailable("Decoding the frame took too long; retry shortly.");
        }
        catch (FileNotFoundException)
        {
            throw DomainException.Conflict("The stored video is missing.");
        }
        catch (VideoIntegrityException exception)
        {
            _logger.LogCritical(exception, "Video {VideoId} failed its integrity check while a frame was decoded", request.VideoId);
            await _integrity.RecordAsync(request.VideoId, request.ProjectId, "stored video", CancellationToken.None);
            throw DomainException.Conflict("The stored video failed its integrity check and cannot be decoded.");
        }
    }
}
