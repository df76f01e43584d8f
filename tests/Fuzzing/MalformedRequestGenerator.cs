using System.Globalization;
using System.Text;
using Surveillance.Tests.Faults;

namespace Surveillance.Tests.Fuzzing;

/// <summary>
/// Generates malformed HTTP/1.1 requests from a seed: the same seed gives the same requests, so a
/// failure is reproduced by its seed and index. Each request is one of the shapes a hostile client
/// sends before or after authenticating: odd methods, mutated and percent-encoded paths, invalid
/// UTF-8 and lone surrogates in JSON and forms, truncated and oversized bodies, wrong and missing
/// content types, broken multipart and chunked framing, huge headers.
/// </summary>
public sealed class MalformedRequestGenerator(int seed, string? token)
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND", "FOO", "post"];

    private static readonly string[] Paths =
    [
        "/auth/login", "/auth/me", "/auth/logout", "/auth/change-password", "/admin/users", "/admin/users/admin",
        "/admin/users/admin/reset-password", "/admin/security/blocked-ips", "/admin/security/ips/127.0.0.1", "/admin/audit",
        "/surveillance/projects", "/surveillance/projects/p1", "/surveillance/projects/p1/members/bob", "/surveillance/upload",
        "/surveillance/videos", "/surveillance/videos/v1", "/surveillance/videos/v1/results", "/surveillance/videos/v1/content",
        "/surveillance/search", "/surveillance/jobs", "/surveillance/frame/x/metadata", "/health", "/no/such/route",
        "/auth/mfa/totp/enroll", "/auth/mfa/totp/confirm", "/auth/mfa/totp/disable", "/auth/mfa/verify",
        "/admin/users/admin/reset-mfa", "/surveillance/analytics", "/surveillance/frame/x", "/surveillance/videos/v1/thumbnail",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-16", "application/json; charset=latin1", "application/x-www-form-urlencoded",
        "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=" + new string('x', 200),
        "multipart/form-data; boundary=fz", "text/plain", "application/xml", "application/octet-stream", ";;;", "application/json; boundary=fz",
    ];

    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        var method = Pick(Methods);
        var path = MutatePath(Pick(Paths));
        var headers = new List<(string, string)>();
        if (token is not null && _random.Next(2) == 0)
        {
            headers.Add(("Authorization", "Bearer " + token));
        }

        if (_random.Next(12) == 0)
        {
            headers.Add(("X-Fuzz", new string('h', _random.Next(1, 64) * 1024))); // huge header
        }

        var body = Body(out var contentType);
        if (contentType is not null && _random.Next(10) > 0)
        {
            headers.Add(("Content-Type", contentType));
        }

        switch (_random.Next(8))
        {
            case 0:
                headers.Add(("Transfer-Encoding", "chunked"));
                return RawHttp.Request(method, path, headers, BrokenChunks(body), contentLength: false);
            case 1 when body.Length > 0:
                // A Content-Length shorter than the body: the rest is junk after the request.
                headers.Add(("Content-Length", _random.Next(body.Length).ToString(CultureInfo.InvariantCulture)));
                return RawHttp.Request(method, path, headers, body, contentLength: false);
            default:
                return RawHttp.Request(method, path, headers, body);
        }
    }

    private string MutatePath(string path) => _random.Next(7) switch
    {
        0 => path + "/%2e%2e/%2e%2e/etc/passwd",
        1 => path.Replace("/", "/%c0%af", StringComparison.Ordinal),
        2 => path + "/" + Uri.EscapeDataString(RandomText(8)),
        3 => path + "%00" + RandomText(3).Replace(" ", "", StringComparison.Ordinal),
        4 => path + "?q=" + string.Concat(Enumerable.Range(0, _random.Next(1, 20)).Select(_ => "%" + _random.Next(256).ToString("X2", CultureInfo.InvariantCulture))),
        5 => path + "/\u00e9\u00e8".Normalize() is var unicode ? Uri.EscapeDataString(unicode).Replace("%2F", "/", StringComparison.Ordinal) : path,
        _ => path,
    };

    private byte[] Body(out string? contentType)
    {
        contentType = Pick(ContentTypes);
        return _random.Next(10) switch
        {
            0 => [],
            1 => [.. "{\"username\":\"a"u8, .. RandomBytes(4), .. "\",\"password\":\"x\",\"query\":\"q"u8, .. RandomBytes(3), .. "\"}"u8],
            2 => Encoding.UTF8.GetBytes($"{{\"query\":\"a\\ud800{RandomText(3)}\",\"name\":\"\\udfff\",\"username\":\"\\ud83d\"}}"),
            3 => Encoding.UTF8.GetBytes($"username={RandomText(4)}%00&password=%FF%FE&q=%{_random.Next(256):X2}%E2%82"),
            4 => Encoding.UTF8.GetBytes("{\"query\":\"" + RandomText(20))[..^_random.Next(1, 5)], // truncated JSON
            5 => Encoding.UTF8.GetBytes(new string('[', _random.Next(60, 2000))),
            6 => Encoding.UTF8.GetBytes($"--fz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n{RandomText(5)}\r\n--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\u0000.mp4\"\r\n\r\n"),
            7 => RandomBytes(_random.Next(1, 512)),
            8 => Encoding.UTF8.GetBytes($"{{\"username\":{_random.NextInt64()}{new string('9', 400)},\"limit\":-1e999,\"frames\":[{{\"timestamp\":\"x\"}}]}}"),
            _ => Encoding.UTF8.GetBytes($"{{\"username\":\"{RandomText(6)}\",\"password\":\"{RandomText(6)}\",\"query\":\"{RandomText(10)}\"}}"),
        };
    }

    private byte[] BrokenChunks(byte[] body)
    {
        var sizeLine = _random.Next(4) switch
        {
            0 => "zz",
            1 => "FFFFFFFFFFFFFFFFFFFF",
            2 => "-5",
            _ => "1;ext=\u0001", // a chunk extension with a control character
        };
        return [.. Encoding.ASCII.GetBytes(sizeLine + "\r\n"), .. body, .. "\r\n0\r\n\r\n"u8];
    }

    private string RandomText(int length)
    {
        const string alphabet = "abcXYZ019 <>'\"%&;/\\.\u00e9\u4e2d\ud83d\ude00";
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            sb.Append(alphabet[_random.Next(alphabet.Length)]);
        }

        return sb.ToString();
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = bytes[i] is (byte)'"' or (byte)'\\' ? (byte)0xFF : bytes[i];
        }

        return bytes;
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
