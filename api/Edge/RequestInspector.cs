using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Surveillance.Api.Errors;
using Microsoft.Net.Http.Headers;

namespace Surveillance.Api.Edge;

/// <summary>
/// Feeds every place a client controls to <see cref="ThreatRules"/>: the decoded and the raw path,
/// the query, and the string values (and member names) of JSON, form and multipart bodies. An
/// endpoint that declares it accepts multipart itself (the video upload) streams its parts and
/// inspects their values and file names as they arrive; any other multipart body (a login may
/// come as one) is read here, within <see cref="MaxInspectedMultipartBytes"/>, and inspected like a form.
/// A body that does not decode is refused 400 (<see cref="MalformedBody"/>), never left to a 500.
/// </summary>
public static class RequestInspector
{
    /// <summary>Largest JSON or form body buffered for inspection; a larger one is refused (413).</summary>
    public const int MaxInspectedBodyBytes = 32 * 1024 * 1024;

    /// <summary>Largest multipart body read for inspection on an endpoint that does not stream its own parts.</summary>
    public const int MaxInspectedMultipartBytes = 1024 * 1024;

    private const int MaxJsonDepth = 64;

    private static readonly FormOptions InspectedMultipart = new() { MultipartBodyLengthLimit = MaxInspectedMultipartBytes };

    // Secrets are only hashed, never put into SQL, markup, paths or shells; inspecting them would
    // turn a strong password such as "Tr0ub4dor'--x" into a 400 and a threat counted against the IP.
    private static bool IsSecret(string name) => name is "password" or "old_password" or "new_password";

    public static async Task<ThreatFinding?> InspectAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = query < 0 ? rawTarget.AsSpan() : rawTarget.AsSpan(0, query);
        // The raw path differs from the decoded one only when it was escaped: then both are inspected.
        var finding = ThreatRules.Inspect(path, "path")
            ?? (rawPath.SequenceEqual(path) ? null : ThreatRules.Inspect(rawPath.ToString(), "path"));
        if (finding is not null)
        {
            return finding;
        }

        foreach (var (key, values) in request.QueryString.HasValue ? request.Query : QueryCollection.Empty)
        {
            finding = ThreatRules.Inspect(key, $"query:{key}");
            foreach (var value in values)
            {
                finding ??= ThreatRules.Inspect(value ?? "", $"query:{key}");
            }

            if (finding is not null)
            {
                return finding;
            }
        }

        if (request.HasFormContentType && !(IsMultipart(request) && StreamsOwnMultipart(context)))
        {
            return await InspectFormAsync(request, cancellationToken);
        }

        if (request.HasJsonContentType())
        {
            return await InspectJsonAsync(context, cancellationToken);
        }

        return null;
    }

    private static bool IsMultipart(HttpRequest request) =>
        request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true;

    // The upload declares multipart in its metadata (Accepts): it reads part by part, never buffered.
    private static bool StreamsOwnMultipart(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes
            .Any(t => t.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)) == true;

    private static async Task<ThreatFinding?> InspectFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var multipart = IsMultipart(request);
        if (multipart && request.ContentLength > MaxInspectedMultipartBytes)
        {
            throw new BadHttpRequestException("The multipart body is larger than this endpoint reads.", StatusCodes.Status413PayloadTooLarge);
        }

        IFormCollection form;
        try
        {
            form = multipart ? await request.ReadFormAsync(InspectedMultipart, cancellationToken) : await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (MalformedBody.IsFormDecodingError(e))
        {
            throw MalformedBody.FormRefusal();
        }

        foreach (var (key, values) in form)
        {
            var finding = ThreatRules.Inspect(key, $"form:{key}");
            foreach (var value in IsSecret(key) ? default : values)
            {
                finding ??= ThreatRules.Inspect(value ?? "", $"form:{key}");
            }

            if (finding is not null)
            {
                return finding;
            }
        }

        foreach (var file in form.Files)
        {
            if ((ThreatRules.Inspect(file.Name, $"form:{file.Name}") ?? ThreatRules.Inspect(file.FileName, $"form:{file.Name}:filename")) is { } finding)
            {
                return finding;
            }
        }

        return null;
    }

    private static async Task<ThreatFinding?> InspectJsonAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        // RFC 8259 §8.1: JSON between systems is UTF-8. A body in another charset would not parse here,
        // so it would go uninspected, while the endpoint's binder transcodes and reads it: refuse it.
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && HeaderUtilities.RemoveQuotes(type.Charset) is { Length: > 0 } charset
            && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException("JSON bodies must be UTF-8.", StatusCodes.Status415UnsupportedMediaType);
        }

        request.EnableBuffering(bufferThreshold: 1024 * 1024, bufferLimit: MaxInspectedBodyBytes);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = MaxJsonDepth }, cancellationToken);
        }
        catch (JsonException)
        {
            return null; // Not JSON: the endpoint's own binding answers 400.
        }
        finally
        {
            request.Body.Position = 0;
        }

        using (document)
        {
            var searchQuery = request.Path.StartsWithSegments("/surveillance/search");
            try
            {
                return Walk(document.RootElement, "json:$", searchQuery);
            }
            catch (InvalidOperationException)
            {
                // Only decoding a string or a member name throws here (invalid UTF-8, an unpaired \uD800).
                throw MalformedBody.JsonStringRefusal();
            }
        }
    }

    private static ThreatFinding? Walk(JsonElement element, string location, bool searchQuery)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                // API.md: a search query is data; it is checked for script and traversal, not SQL words.
                var context = searchQuery && location == "json:$.query" ? InputContext.SearchQuery : InputContext.General;
                return ThreatRules.Inspect(element.GetString() ?? "", location, context);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var finding = ThreatRules.Inspect(property.Name, location)
                        ?? (IsSecret(property.Name) ? Decodes(property.Value) : Walk(property.Value, $"{location}.{property.Name}", searchQuery));
                    if (finding is not null)
                    {
                        return finding;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Walk(item, $"{location}[{index++}]", searchQuery) is { } finding)
                    {
                        return finding;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    // A secret is not inspected, but its string must decode like any other: the endpoint reads it
    // later, and an undecodable one is the same malformed body (400), not an error of that endpoint.
    private static ThreatFinding? Decodes(JsonElement secret)
    {
        if (secret.ValueKind == JsonValueKind.String)
        {
            _ = secret.GetString();
        }

        return null;
    }
}
