using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
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
/// Receives one upload: the form is read part by part (<see cref="MultipartUploadForm"/>), the file
/// is checked — declared size, extension, container signature — then encrypted as it arrives into
/// a temporary file that is fsynced and renamed only when complete (<see cref="EncryptedVideoStore"/>),
/// and recorded by its video grain. The plaintext never touches the disk; a failed or aborted
/// upload leaves nothing behind.
/// </summary>
public sealed class UploadReceiver(IGrainFactory grains, VideoFiles files, IOptions<UploadOptions> options)
{
    private readonly long _maxBytes = options.Value.MaxBytes;

    public async Task<UploadReceipt> ReceiveAsync(HttpContext http, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        user.RequireRole(Roles.Operator, Roles.Admin);
        var form = new MultipartUploadForm(http.Request);
        string? projectId = null;
        if (http.Request.Query["project_id"].FirstOrDefault() is { Length: > 0 } fromQuery)
        {
            projectId = ProjectIds.RequireValid(fromQuery);
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

        StoredVideo? stored = null;
        string? description = null;
        try
        {
            while (await form.NextPartAsync(cancellationToken) is { } part)
            {
                if (part.IsFile)
                {
                    if (part.Name != "file" || stored is not null)
                    {
                        throw DomainException.Validation("Send exactly one file, in the field 'file'.");
                    }

                    stored = await StoreAsync(http, user, part,
                        projectId ?? throw DomainException.Validation("'project_id' must come before 'file' in the form (or in the query)."),
                        cancellationToken);
                    continue;
                }

                var value = await part.ReadTextAsync(cancellationToken);
                await InspectAsync(http, value, $"multipart:{part.Name}");
                switch (part.Name)
                {
                    case "project_id" when projectId is null:
                        projectId = ProjectIds.RequireValid(value);
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
        HttpContext http, ClaimsPrincipal user, MultipartUploadForm.FormPart part, string projectId, CancellationToken cancellationToken)
    {
        var clientName = part.ClientFileName;
        await InspectAsync(http, clientName, "multipart:filename");
        if (!ContainerSignature.TryGetExtension(clientName, out var extension))
        {
            throw HttpProblemException.Unsupported("Only .mp4, .avi, .mov, .mkv and .webm videos are accepted.");
        }

        // After the checks that do not depend on the project (a .txt is 415 whether or not the id
        // exists, so ids cannot be enumerated), before a byte is stored. Only an early refusal: the
        // binding check is RecordAsync's, atomic with the video joining the project.
        await ProjectAccess.RefuseUploadByNonMemberAsync(grains, user, projectId);

        var video = grains.GetGrain<IVideoGrain>(VideoIds.New());
        var key = await video.IssueUploadKeyAsync(projectId);
        var stored = new StoredVideo(
            new EncryptedVideoStore(files, projectId, video.GetPrimaryKeyString(), key, _maxBytes),
            video, UploadFileName.Sanitize(clientName), ContainerSignature.ContentTypeFor(extension));
        try
        {
            await stored.Store.WriteAsync(part.Body, extension, cancellationToken);
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
        return UploadReceipt.From(video);
    }

    /// <summary>Every text the client names in the form is inspected like a query string or a JSON body.</summary>
    private static async Task InspectAsync(HttpContext http, string value, string location)
    {
        if (ThreatRules.Inspect(value, location) is { } finding)
        {
            throw await ThreatReporter.RefuseAsync(http, finding);
        }
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
}
