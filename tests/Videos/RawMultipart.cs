using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Surveillance.Tests.Videos;

/// <summary>
/// A multipart/form-data body written by hand, so that a test controls exactly what the server
/// gets: parts in any order, malformed framing, and no Content-Length (sent chunked) unless
/// <see cref="WithLength"/> says otherwise.
/// </summary>
public sealed class RawMultipart : HttpContent
{
    public const string Boundary = "test-boundary-7c1d9a";

    private readonly List<Func<Stream, Task>> _writers = [];
    private long? _length;

    public RawMultipart() =>
        Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");

    public RawMultipart Field(string name, string value) =>
        Bytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");

    public RawMultipart File(string fileName, byte[] content, string name = "file") =>
        File(fileName, new MemoryStream(content, writable: false), name);

    public RawMultipart File(string fileName, Stream content, string name = "file")
    {
        Bytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n");
        _writers.Add(async target => await content.CopyToAsync(target, 16 * 1024));
        return Bytes("\r\n");
    }

    public RawMultipart Bytes(string text) => Bytes(Encoding.UTF8.GetBytes(text));

    public RawMultipart Bytes(byte[] bytes)
    {
        _writers.Add(target => target.WriteAsync(bytes).AsTask());
        return this;
    }

    /// <summary>The closing delimiter.</summary>
    public RawMultipart End() => Bytes($"--{Boundary}--\r\n");

    /// <summary>Declares this many bytes in Content-Length instead of sending the body chunked.</summary>
    public RawMultipart WithLength(long length)
    {
        _length = length;
        return this;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        foreach (var write in _writers)
        {
            await write(stream);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? 0;
        return _length is not null;
    }
}
