using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Surveillance.Tests.Videos;

/// <summary>Upload and download requests, and what the tests check on disk.</summary>
public static class VideoRequests
{
    public const int SegmentSize = 1024 * 1024;
    public const int HeaderLength = 64;
    public const int TagLength = 16;

    /// <summary>A multipart upload with <c>project_id</c> first, then <c>file</c>, then an optional description.</summary>
    public static Task<HttpResponseMessage> UploadAsync(this HttpClient http, string? token, string projectId, string fileName, byte[] content, string? description = null)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(projectId), "project_id" },
            { FilePart(content), "file", fileName },
        };
        if (description is not null)
        {
            form.Add(new StringContent(description), "description");
        }

        return http.PostMultipartAsync(token, form);
    }

    public static Task<HttpResponseMessage> PostMultipartAsync(this HttpClient http, string? token, HttpContent form, string path = "/surveillance/upload")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http.SendAsync(request);
    }

    public static ByteArrayContent FilePart(byte[] content)
    {
        var part = new ByteArrayContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return part;
    }

    /// <summary>GET of the content, the whole body read (an aborted body throws).</summary>
    public static Task<HttpResponseMessage> DownloadAsync(this HttpClient http, string token, string videoId, string? range = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/surveillance/videos/{videoId}/content");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        return http.SendAsync(request);
    }

    public static async Task<byte[]> DownloadBytesAsync(this HttpClient http, string token, string videoId)
    {
        var response = await http.DownloadAsync(token, videoId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A real MP4 followed by <paramref name="extraBytes"/> seeded random bytes (the server stores bytes verbatim).</summary>
    public static byte[] PaddedMp4(byte[] mp4, int extraBytes, int seed)
    {
        var padding = new byte[extraBytes];
        new Random(seed).NextBytes(padding);
        return [.. mp4, .. padding];
    }

    /// <summary>A real MP4 of exactly <paramref name="length"/> bytes (cut or padded with seeded random bytes).</summary>
    public static byte[] Mp4OfLength(byte[] mp4, int length, int seed) =>
        length <= mp4.Length ? mp4[..length] : PaddedMp4(mp4, length - mp4.Length, seed);

    /// <summary>Every file under the directory, hidden and temporary ones included.</summary>
    public static string[] FilesUnder(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*", SearchOption.AllDirectories) : [];

    /// <summary>A failed upload leaves nothing: no file (final or temporary) in the project's folder, none anywhere half-written.</summary>
    public static void AssertNothingStored(string videoPath, string projectId)
    {
        Assert.Empty(FilesUnder(Path.Combine(videoPath, projectId)));
        Assert.DoesNotContain(FilesUnder(videoPath), f => f.EndsWith(".partial", StringComparison.Ordinal));
    }

    /// <summary>Bytes on disk for a plaintext of this length: header, then per segment its ciphertext and tag.</summary>
    public static long EncryptedLength(long plaintextLength)
    {
        var segments = plaintextLength == 0 ? 1 : (plaintextLength + SegmentSize - 1) / SegmentSize;
        return HeaderLength + plaintextLength + (segments * TagLength);
    }
}
