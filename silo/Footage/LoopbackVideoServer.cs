using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Surveillance.Errors;
using Surveillance.Processing;
using Surveillance.Storage;
using Surveillance.Videos;

namespace Surveillance.Silo.Footage;

/// <summary>
/// The seekable views of <see cref="IDecryptedVideoViews"/>: a Kestrel listener on 127.0.0.1 and an
/// ephemeral port, started on first use, serving <c>GET /{token}</c> with byte ranges. Each request
/// decrypts only the segments its range overlaps, through the same <see cref="EncryptedVideoReader"/>
/// as the download API, so ffmpeg's <c>http</c> input can seek while no plaintext reaches the disk.
/// Why this is safe enough: the socket is loopback-only; a token is 256 random bits, bound to one
/// video, valid until its view is disposed or its lifetime ends; at most
/// <c>Processing:MaxOpenViews</c> views and <c>Processing:MaxRequestsPerView</c> requests at once
/// per view. The listener has no logging provider, and this class never logs a token or URL.
/// </summary>
public sealed class LoopbackVideoServer(
    VideoFiles files, IOptions<ProcessingOptions> options, TimeProvider clock, ILogger<LoopbackVideoServer> logger)
    : IDecryptedVideoViews, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, View> _views = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private WebApplication? _listener;
    private Uri? _baseUri;

    /// <summary>Views open now (tests check that each is revoked).</summary>
    public int OpenViews => _views.Count;

    public async Task<IDecryptedVideoView> OpenAsync(
        string videoId, string projectId, ContentKey key, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        // A wrong key, a forged header or a truncated file fails here, in the caller, as a VideoIntegrityException.
        await using (var file = OpenFile(projectId, videoId))
        {
            using var reader = await OpenReaderAsync(file, videoId, projectId, key, cancellationToken);
        }

        RemoveExpired();
        if (_views.Count >= options.Value.MaxOpenViews)
        {
            throw DomainException.Unavailable("Too many videos are being decoded at once; retry shortly.");
        }

        var baseUri = await EnsureListeningAsync(cancellationToken);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var view = new View(this, token, new Uri(baseUri, token), videoId, projectId, key, clock.GetUtcNow() + lifetime, options.Value.MaxRequestsPerView);
        _views[token] = view;
        return view;
    }

    public async ValueTask DisposeAsync()
    {
        _views.Clear();
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        _startLock.Dispose();
    }

    private async Task<Uri> EnsureListeningAsync(CancellationToken cancellationToken)
    {
        if (_baseUri is { } ready)
        {
            return ready;
        }

        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (_baseUri is null)
            {
                var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
                builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
                {
                    kestrel.Listen(IPAddress.Loopback, 0);
                    kestrel.AddServerHeader = false;
                    kestrel.Limits.MaxConcurrentConnections = (long)options.Value.MaxOpenViews * options.Value.MaxRequestsPerView;
                    kestrel.Limits.MaxRequestBodySize = 0;
                });
                var listener = builder.Build();
                listener.Run(ServeAsync);
                await listener.StartAsync(cancellationToken);
                var address = listener.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
                _listener = listener;
                _baseUri = new Uri(address.TrimEnd('/') + "/");
            }

            return _baseUri!;
        }
        finally
        {
            _startLock.Release();
        }
    }

    private async Task ServeAsync(HttpContext http)
    {
        var request = http.Request;
        var response = http.Response;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        RemoveExpired();
        var token = request.Path.Value is { Length: > 1 } path ? path[1..] : "";
        if (!_views.TryGetValue(token, out var view))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!view.TryEnter())
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        try
        {
            await using var file = OpenFile(view.ProjectId, view.VideoId);
            using var reader = await OpenReaderAsync(file, view.VideoId, view.ProjectId, view.Key, http.RequestAborted);
            var length = reader.PlaintextLength;
            var (offset, count) = (0L, length);
            response.Headers.AcceptRanges = "bytes";
            if (request.GetTypedHeaders().Range is { Ranges.Count: 1 } range
                && range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase))
            {
                var requested = range.Ranges.Single();
                if (!ByteRange.TryResolve(requested.From, requested.To, length, out offset, out count))
                {
                    response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                    response.Headers.ContentRange = new ContentRangeHeaderValue(length).ToString();
                    return;
                }

                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + count - 1, length).ToString();
            }

            response.ContentType = "application/octet-stream";
            response.ContentLength = count;
            if (HttpMethods.IsGet(request.Method))
            {
                await reader.CopyRangeToAsync(response.Body, offset, count, http.RequestAborted);
            }
        }
        catch (VideoIntegrityException exception)
        {
            // The reader gets no altered bytes: the connection is cut, and the view's owner learns why.
            view.IntegrityFailed = true;
            logger.LogCritical(exception, "Video {VideoId} failed its integrity check while a decrypted view served it", view.VideoId);
            http.Abort();
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && http.RequestAborted.IsCancellationRequested)
        {
            // ffmpeg seeks by dropping a connection and opening another; a cut-off response is routine.
        }
        finally
        {
            view.Exit();
        }
    }

    private FileStream OpenFile(string projectId, string videoId) =>
        new(files.PathFor(projectId, videoId), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous,
        });

    private static Task<EncryptedVideoReader> OpenReaderAsync(
        FileStream file, string videoId, string projectId, ContentKey key, CancellationToken cancellationToken) =>
        EncryptedVideoReader.OpenAsync(file, key.DataKey, videoId, projectId, Convert.FromHexString(key.FileKeyId), cancellationToken);

    private void RemoveExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var (token, view) in _views)
        {
            if (view.ExpiresAt <= now)
            {
                _views.TryRemove(token, out _);
            }
        }
    }

    private void Revoke(string token) => _views.TryRemove(token, out _);

    private sealed class View(
        LoopbackVideoServer server, string token, Uri url, string videoId, string projectId, ContentKey key, DateTimeOffset expiresAt, int maxRequests)
        : IDecryptedVideoView
    {
        private int _requests;

        public Uri Url => url;
        public bool IntegrityFailed { get; set; }
        public string VideoId => videoId;
        public string ProjectId => projectId;
        public ContentKey Key => key;
        public DateTimeOffset ExpiresAt => expiresAt;

        public bool TryEnter()
        {
            if (Interlocked.Increment(ref _requests) <= maxRequests)
            {
                return true;
            }

            Interlocked.Decrement(ref _requests);
            return false;
        }

        public void Exit() => Interlocked.Decrement(ref _requests);

        public ValueTask DisposeAsync()
        {
            server.Revoke(token);
            return ValueTask.CompletedTask;
        }
    }
}
