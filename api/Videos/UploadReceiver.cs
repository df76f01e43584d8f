using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Surveillance.Api.Auth;
using Surveillance.Api.Edge;
using Surveillance.Api.Errors;
using Surveillance.Api.Projects;
using Surveillance.Errors;
using Surveillance.Identity;
using Surveillance.Storage;
using Surveillance.Videos;

namespace Surveillance.Api.Videos;

/// <summary>
/// Streams one multipart upload: the form is read part by part (never buffered by the form
/// feature), the file is checked — declared size, extension, container signature — then
/// encrypted as it arrives into a temporary file that is fsynced and renamed only when complete.
/// The plaintext never touches the disk; a failed or aborted upload leaves nothing behind.
/// </summary>
public sealed class UploadReceiver(IGrainFactory grains, VideoFiles files, IOptions<UploadOptions> options)
{
    private const int MaxFieldBytes = 8 * 1024;

    // The reader hands out at most one buffer per read: 256 KiB instead of its default 4 KiB cuts
    // the boundary scans and async hops of a large file by 64 (measured, bench/README.md: from
    // 64 KiB to 256 KiB a 400 MiB upload went from ~1.0 s to ~0.93 s on the 2-core machine).
    private const int MultipartBufferBytes = 256 * 1024;

    private readonly long _maxBytes = options.Value.MaxBytes;

    public async Task<UploadReceipt> ReceiveAsync(HttpContext http, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        user.RequireRole(Roles.Operator, Roles.Admin);
        var boundary = MultipartBoundary(http.Request);
        string? projectId = null;
        if (http.Request.Query["project_id"].FirstOrDefault() is { Length: > 0 } fromQuery)
        {
            projectId = ValidProjectId(fromQuery);
        }

        // 413 from the declared length, before reading a byte of the body (API.md).
        if (http.Request.ContentLength > _maxBytes + UploadOptions.FormOverheadBytes)
        {
            throw HttpProblemException.TooLarge(_maxBytes);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _maxBytes + UploadOptions.FormOverheadBytes;
        }

        var reader = new MultipartReader(boundary, http.Request.Body, MultipartBufferBytes) { HeadersLengthLimit = 16 * 1024 };
        StoredVideo? stored = null;
        string? description = null;
        try
        {
            while (await NextSectionAsync(reader, cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data"))
                {
                    throw DomainException.Validation("Every part of the upload must be form-data.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    if (name != "file" || stored is not null)
                    {
                        throw DomainException.Validation("Send exactly one file, in the field 'file'.");
                    }

                    stored = await StoreAsync(http, user, new ClientBodyStream(section.Body), disposition,
                        projectId ?? throw DomainException.Validation("'project_id' must come before 'file' in the form (or in the query)."),
                        cancellationToken);
                    continue;
                }

                var value = await ReadFieldAsync(section, name, cancellationToken);
                await InspectAsync(http, value, $"multipart:{name}");
                switch (name)
                {
                    case "project_id" when projectId is null:
                        projectId = ValidProjectId(value);
                        break;
                    case "project_id" when ProjectIds.Normalize(value) != projectId:
                        throw DomainException.Validation("'project_id' was given twice with different values.");
                    case "description":
                        description = VideoDescription.Clean(value);
                        break;
                }
            }

            if (stored is null)
            {
                throw DomainException.Validation("'file' is required.");
            }

            return await RecordAsync(stored, user, description, cancellationToken);
        }
        catch
        {
            if (stored is not null)
            {
                await stored.DiscardAsync();
            }

            throw;
        }
    }

    private async Task<StoredVideo> StoreAsync(
        HttpContext http, ClaimsPrincipal user, Stream body, ContentDispositionHeaderValue disposition, string projectId, CancellationToken cancellationToken)
    {
        var clientName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
        await InspectAsync(http, clientName, "multipart:filename");
        if (!ContainerSignature.TryGetExtension(clientName, out var extension))
        {
            throw HttpProblemException.Unsupported("Only .mp4, .avi, .mov, .mkv and .webm videos are accepted.");
        }

        // After the checks that do not depend on the project (a .txt is 415 whether or not the id
        // exists, so ids cannot be enumerated), before a byte is stored. Only an early refusal: the
        // binding check is RecordAsync's, atomic with the video joining the project.
        await RefuseNonMemberAsync(user, projectId);

        var video = grains.GetGrain<IVideoGrain>(VideoIds.New());
        var key = await video.IssueUploadKeyAsync(projectId);
        var stored = new StoredVideo(
            new EncryptedVideoStore(files, projectId, video.GetPrimaryKeyString(), key, _maxBytes),
            video, UploadFileName.Sanitize(clientName), ContainerSignature.ContentTypeFor(extension));
        try
        {
            await stored.Store.WriteAsync(body, extension, cancellationToken);
            return stored;
        }
        catch
        {
            await stored.DiscardAsync();
            throw;
        }
    }

    private static async Task<UploadReceipt> RecordAsync(StoredVideo stored, ClaimsPrincipal user, string? description, CancellationToken cancellationToken)
    {
        var store = stored.Store;
        // The project admits the video in the same grain turn that checks membership (or creates the
        // project for the uploader): a project created by someone else while the file streamed is
        // refused with 404, and the catch in ReceiveAsync deletes the stored file.
        var video = await stored.Grain.RecordUploadAsync(new VideoUpload(
            store.ProjectId, stored.Filename, description, store.SizeBytes, store.Sha256, stored.ContentType,
            user.Username()) { UploaderIsAdmin = user.IsAdmin() });
        cancellationToken.ThrowIfCancellationRequested();
        return new UploadReceipt("Video uploaded successfully", video.VideoId, video.VideoId, video.ProjectId,
            video.Filename, video.SizeBytes, video.Sha256, video.Status);
    }

    private static string ValidProjectId(string value)
    {
        var projectId = ProjectIds.Normalize(value);
        return ProjectIds.IsValid(projectId)
            ? projectId
            : throw DomainException.Validation("'project_id' must be 1 to 100 of A-Z, a-z, 0-9, '_' and '-'.");
    }

    /// <summary>An existing project takes uploads from its members and admins; to anyone else it does not exist.</summary>
    private async Task RefuseNonMemberAsync(ClaimsPrincipal user, string projectId)
    {
        if (await grains.GetGrain<IProjectGrain>(projectId).GetAsync() is { } project && !user.CanRead(project))
        {
            throw ProjectAccess.NoSuchProject();
        }
    }

    private static async Task InspectAsync(HttpContext http, string value, string location)
    {
        if (ThreatRules.Inspect(value, location) is { } finding)
        {
            throw await ThreatReporter.RefuseAsync(http, finding);
        }
    }

    private static async Task<string> ReadFieldAsync(MultipartSection section, string name, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var total = 0;
        int read;
        var body = new ClientBodyStream(section.Body);
        while ((read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
            if (total > MaxFieldBytes)
            {
                throw DomainException.Validation($"The form field '{name}' is too long.");
            }
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw ClientBodyStream.Malformed();
        }
    }

    private static string MultipartBoundary(HttpRequest request)
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

    private sealed record StoredVideo(EncryptedVideoStore Store, IVideoGrain Grain, string Filename, string ContentType)
    {
        /// <summary>Removes the file and the key issued for it.</summary>
        public async Task DiscardAsync()
        {
            Store.DeleteFile();
            try
            {
                await Grain.AbandonUploadAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The refusal already under way is the answer; a key left behind without its file
                // decrypts nothing and belongs to no project.
            }
        }
    }

    /// <summary>
    /// The multipart reader reports a body that ends early or breaks its limits (header size, line
    /// length) as I/O or data errors: those are the client's bad input, 400, not a server fault.
    /// Only reads of the request go through here, so a failing disk still answers 500.
    /// </summary>
    private sealed class ClientBodyStream(Stream inner) : Stream
    {
        public static DomainException Malformed() =>
            DomainException.Validation("The multipart body is malformed or ends before its closing boundary.");

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                throw Malformed();
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
