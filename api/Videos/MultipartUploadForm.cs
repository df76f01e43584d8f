using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Surveillance.Api.Errors;
using Surveillance.Errors;

namespace Surveillance.Api.Videos;

/// <summary>
/// An upload's <c>multipart/form-data</c> body read part by part, never buffered by the form
/// feature: each part is form-data, a field is at most <see cref="MaxFieldBytes"/>, and a body
/// that breaks the multipart rules is the client's 400.
/// </summary>
internal sealed class MultipartUploadForm(HttpRequest request)
{
    private const int MaxFieldBytes = 8 * 1024;

    // The reader hands out at most one buffer per read: 256 KiB instead of its default 4 KiB cuts
    // the boundary scans and async hops of a large file by 64.
    private const int MultipartBufferBytes = 256 * 1024;

    private readonly MultipartReader _reader = new(Boundary(request), request.Body, MultipartBufferBytes) { HeadersLengthLimit = 16 * 1024 };

    /// <summary>The next part, its field name and disposition; null after the last.</summary>
    public async Task<FormPart?> NextPartAsync(CancellationToken cancellationToken)
    {
        MultipartSection? section;
        try
        {
            section = await _reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw ClientBodyStream.Malformed();
        }

        if (section is null)
        {
            return null;
        }

        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
            || !disposition.DispositionType.Equals("form-data"))
        {
            throw DomainException.Validation("Every part of the upload must be form-data.");
        }

        return new FormPart(section, disposition);
    }

    /// <summary>
    /// Checked before the body is read: the form's content type and a boundary a reader can use.
    /// </summary>
    private static string Boundary(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw HttpProblemException.Unsupported("Upload with Content-Type multipart/form-data.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        return boundary is { Length: > 0 and <= 200 }
            ? boundary
            : throw DomainException.Validation("The multipart boundary is missing or too long.");
    }

    /// <summary>One form-data part.</summary>
    public sealed class FormPart(MultipartSection section, ContentDispositionHeaderValue disposition)
    {
        public string Name { get; } = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";

        public bool IsFile => disposition.IsFileDisposition();

        /// <summary>The file name the client gave (<c>filename*</c> before <c>filename</c>), as sent.</summary>
        public string ClientFileName =>
            HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";

        /// <summary>The part's bytes as the client sends them; a broken body is a 400.</summary>
        public Stream Body { get; } = new ClientBodyStream(section.Body);

        /// <summary>A text field's value (UTF-8); 400 when it is over <see cref="MaxFieldBytes"/>.</summary>
        public async Task<string> ReadTextAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[MaxFieldBytes + 1];
            var total = 0;
            int read;
            while ((read = await Body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            {
                total += read;
                if (total > MaxFieldBytes)
                {
                    throw DomainException.Validation($"The form field '{Name}' is too long.");
                }
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
    }
}
