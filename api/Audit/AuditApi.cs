using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Surveillance.Api.Auth;
using Surveillance.Api.Http;
using Surveillance.Audit;
using Surveillance.Errors;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Surveillance.Api.Audit;

/// <summary><c>/admin/audit</c>: search, verify and export the audit log, for the <c>admin</c> role only.</summary>
public static class AuditApi
{
    public const string NdjsonContentType = "application/x-ndjson";

    /// <summary>Export output is handed to the response in chunks of about this size.</summary>
    private const int ExportChunkBytes = 32 * 1024;

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/admin/audit").WithTags("Administration").RequireAuthorization(Policies.Admin)
            .WithCachePolicy(CachePolicy.NoStore).AuditAsSecurity().AuditEveryRequest();
        api.MapGet("/", ListAsync);
        api.MapGet("/verify", VerifyAsync);
        api.MapGet("/export", Export);
        return api;
    }

    private static async Task<Ok<AuditListResponse>> ListAsync(HttpRequest request, AuditReader reader, CancellationToken cancellationToken)
    {
        var filter = AuditFilterQuery.Parse(request.Query);
        var records = await reader.QueryAsync(filter, cancellationToken);
        return TypedResults.Ok(new AuditListResponse(records.Select(AuditEntryResponse.From).ToList()));
    }

    private static async Task<Ok<AuditVerification>> VerifyAsync(AuditVerifier verifier, CancellationToken cancellationToken) =>
        TypedResults.Ok(await verifier.VerifyAsync(cancellationToken));

    /// <summary>NDJSON, oldest first, streamed row by row from the database to the client.</summary>
    private static PushStreamHttpResult Export(
        HttpRequest request, AuditReader reader, AuditAnonymizer anonymizer, IOptions<JsonOptions> json)
    {
        var anonymize = Flag(request.Query["anonymize"], "anonymize");
        var serializerOptions = json.Value.SerializerOptions;
        var cancellationToken = request.HttpContext.RequestAborted;
        return TypedResults.Stream(async body =>
        {
            var buffer = new ArrayBufferWriter<byte>(ExportChunkBytes * 2);
            await using var writer = new Utf8JsonWriter(buffer);
            await foreach (var record in reader.StreamAllAsync(cancellationToken))
            {
                var line = anonymize ? anonymizer.Anonymize(record) : AuditEntryResponse.From(record);
                JsonSerializer.Serialize(writer, line, serializerOptions);
                writer.Flush();
                writer.Reset();
                buffer.Write("\n"u8);
                if (buffer.WrittenCount >= ExportChunkBytes)
                {
                    await body.WriteAsync(buffer.WrittenMemory, cancellationToken);
                    buffer.ResetWrittenCount();
                }
            }

            await body.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }, NdjsonContentType);
    }

    private static bool Flag(string? value, string name) => value switch
    {
        null or "" or "false" => false,
        "true" => true,
        _ => throw DomainException.Validation($"'{name}' must be 'true' or 'false'."),
    };
}
