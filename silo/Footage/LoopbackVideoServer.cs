using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
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
    /// <summary>Loopback moves this in well under a millisecond; Linux doubles it for its bookkeeping.</summary>
    private const int SendBufferBytes = 128 * 1024;

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
        var verified = await OpenVideoAsync(projectId, videoId, key, cancellationToken);
        try
        {
            RemoveExpired();
            if (_views.Count >= options.Value.MaxOpenViews)
            {
                throw DomainException.Unavailable("Too many videos are being decoded at once; retry shortly.");
            }

            var baseUri = await EnsureListeningAsync(cancellationToken);
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var view = new View(this, token, new Uri(baseUri, token), videoId, projectId, key, clock.GetUtcNow() + lifetime, options.Value.MaxRequestsPerView);
            _views[token] = view;
            view.Return(verified);
            return view;
        }
        catch
        {
            verified.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var token in _views.Keys)
        {
            if (_views.TryRemove(token, out var view))
            {
                view.Close();
            }
        }

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
                builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = CreateListenSocket);
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

    /// <summary>
    /// The listening socket, with a small send buffer that accepted connections inherit. ffmpeg asks
    /// for open-ended ranges (<c>bytes=N-</c>) and drops the connection once it has read what it
    /// needs: with the kernel's autotuned buffer (up to 4 MiB) the view decrypted and copied ~4
    /// segments nobody read on each such request, CPU taken from the decoder on the same cores.
    /// </summary>
    private static Socket CreateListenSocket(EndPoint endpoint)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        socket.SendBufferSize = SendBufferBytes;
        return socket;
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

        OpenVideo? video = null;
        var reusable = false;
        try
        {
            video = view.TakeIdle() ?? await OpenVideoAsync(view.ProjectId, view.VideoId, view.Key, http.RequestAborted);
            var reader = video.Reader;
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

            reusable = true;
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
            // The reader is still sound: every segment read sets its own position.
            reusable = true;
        }
        finally
        {
            if (video is not null)
            {
                if (reusable)
                {
                    view.Return(video);
                }
                else
                {
                    video.Dispose();
                }
            }

            view.Exit();
        }
    }

    /// <summary>The stored file, its header read and its final segment verified under the key.</summary>
    private async Task<OpenVideo> OpenVideoAsync(string projectId, string videoId, ContentKey key, CancellationToken cancellationToken)
    {
        var file = new FileStream(files.PathFor(projectId, videoId), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous,
        });
        try
        {
            var reader = await EncryptedVideoReader.OpenAsync(
                file, key.DataKey, videoId, projectId, Convert.FromHexString(key.FileKeyId), cancellationToken);
            return new OpenVideo(file, reader);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    private void RemoveExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var (token, view) in _views)
        {
            if (view.ExpiresAt <= now && _views.TryRemove(token, out _))
            {
                view.Close();
            }
        }
    }

    private void Revoke(string token) => _views.TryRemove(token, out _);

    /// <summary>A stored video opened and verified: the file and its reader, used by one request at a time.</summary>
    private sealed class OpenVideo(FileStream file, EncryptedVideoReader reader) : IDisposable
    {
        public EncryptedVideoReader Reader => reader;

        /// <summary>Zeroes the reader's plaintext segment buffer and closes the file.</summary>
        public void Dispose()
        {
            reader.Dispose();
            file.Dispose();
        }
    }

    private sealed class View(
        LoopbackVideoServer server, string token, Uri url, string videoId, string projectId, ContentKey key, DateTimeOffset expiresAt, int maxRequests)
        : IDecryptedVideoView
    {
        private int _requests;
        private int _closed;

        /// <summary>
        /// The verified file and reader the last request left, for the next: ffmpeg opens a new
        /// connection for every seek (3–4 per frame), and each one re-opening the file re-read and
        /// re-decrypted the final segment (up to 1 MiB) before its first byte. Its buffer holds
        /// plaintext of one segment, in memory only, zeroed when the view is closed.
        /// </summary>
        private OpenVideo? _idle;

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

        public OpenVideo? TakeIdle() => Interlocked.Exchange(ref _idle, null);

        /// <summary>Keeps the video for the next request, or disposes it when one is kept already or the view is closed.</summary>
        public void Return(OpenVideo video)
        {
            if (Volatile.Read(ref _closed) != 0 || Interlocked.CompareExchange(ref _idle, video, null) is not null)
            {
                video.Dispose();
            }
            else if (Volatile.Read(ref _closed) != 0)
            {
                // Closed between the check and the exchange: whoever takes it back disposes it.
                Interlocked.Exchange(ref _idle, null)?.Dispose();
            }
        }

        /// <summary>Disposes the kept video; later returns are disposed at once.</summary>
        public void Close()
        {
            Volatile.Write(ref _closed, 1);
            Interlocked.Exchange(ref _idle, null)?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            server.Revoke(token);
            Close();
            return ValueTask.CompletedTask;
        }
    }
}
