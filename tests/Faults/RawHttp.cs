using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Surveillance.Tests.Faults;

/// <summary>An HTTP/1.1 answer read off the socket: status, headers (last value wins) and the de-chunked body.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public bool IsProblemJson => Header("Content-Type")?.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The problem's <c>error_code</c>, or null when the body is not problem+json.</summary>
    public string? ErrorCode => IsProblemJson ? JsonNode.Parse(Body)?["error_code"]?.GetValue<string>() : null;

    public string? RequestId => IsProblemJson ? JsonNode.Parse(Body)?["request_id"]?.GetValue<string>() : null;

    public override string ToString() => $"{Status} {Header("Content-Type")} {(Body.Length > 300 ? Body[..300] + "…" : Body)}";
}

/// <summary>
/// Sends requests byte for byte as given, which HttpClient refuses to do (bad chunk sizes, a body
/// shorter than its Content-Length, raw non-UTF-8 bytes).
/// </summary>
public static class RawHttp
{
    public static byte[] Request(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body = null,
        bool contentLength = true)
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (body is not null && contentLength)
        {
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body ?? []];
    }

    /// <summary>
    /// Writes the bytes and reads the answer until the server closes (every request says
    /// <c>Connection: close</c>). Kestrel takes a half-close for a client that left, so the
    /// connection stays open in both directions until the answer is in.
    /// </summary>
    public static async Task<RawResponse> SendAsync(int port, byte[] request, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        using var socket = await ConnectAsync(port, cts.Token);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, cts.Token);
        }
        catch (SocketException)
        {
            // The server may answer and close before it read everything (an early 413 or 400): read what it said.
        }

        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException) when (received.Length > 0)
        {
            // A reset after the answer (the server discarding the unread body) still leaves the answer.
        }

        return Parse(received.ToArray());
    }

    /// <summary>Writes the bytes and half-closes the connection: a body that ends where the bytes end.</summary>
    public static async Task SendAndLeaveAsync(int port, byte[] request)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await ConnectAsync(port, cts.Token);
        await socket.SendAsync(request, SocketFlags.None, cts.Token);
        socket.Shutdown(SocketShutdown.Send);
        await Task.Delay(200, cts.Token); // keep the socket until the server has read the end
    }

    private static async Task<Socket> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
        return socket;
    }

    private static RawResponse Parse(byte[] bytes)
    {
        // The head is ASCII; the body is cut by byte counts (chunk sizes count bytes) before it is
        // decoded, so a non-ASCII answer (e.g. a problem "path" echoing a Unicode path) reads right.
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidOperationException($"No complete HTTP answer ({bytes.Length} bytes): {Encoding.UTF8.GetString(bytes)}");
        }

        var lines = Encoding.Latin1.GetString(bytes, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = bytes.AsSpan(end + 4);
        var text = headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase)
            ? Encoding.UTF8.GetString(Dechunk(body))
            : Encoding.UTF8.GetString(body);
        return new RawResponse(status, headers, text);
    }

    /// <summary>The chunks' bytes joined; stops at the last chunk, or where the framing ends (e.g. an answer to HEAD has no body).</summary>
    private static byte[] Dechunk(ReadOnlySpan<byte> chunked)
    {
        using var result = new MemoryStream();
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n"u8);
            if (lineEnd <= 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(chunked[..lineEnd]).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var size) || size <= 0)
            {
                break;
            }

            var data = chunked[(lineEnd + 2)..];
            result.Write(data[..Math.Min(size, data.Length)]);
            if (data.Length < size + 2)
            {
                break;
            }

            chunked = data[(size + 2)..];
        }

        return result.ToArray();
    }
}
