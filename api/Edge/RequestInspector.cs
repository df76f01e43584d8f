using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Surveillance.Api.Edge;

/// <summary>
/// Feeds every place a client controls to <see cref="ThreatRules"/>: the decoded and the raw path,
/// the query, and the string values (and member names) of JSON and form bodies. Multipart bodies
/// are video uploads: their field values and file names are inspected by the upload handler as it
/// streams them, never buffered here.
/// </summary>
public static class RequestInspector
{
    /// <summary>Largest JSON or form body buffered for inspection; a larger one is refused (413).</summary>
    public const int MaxInspectedBodyBytes = 32 * 1024 * 1024;

    private const int MaxJsonDepth = 64;

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

        if (request.HasFormContentType && !IsMultipart(request))
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var (key, values) in form)
            {
                finding = ThreatRules.Inspect(key, $"form:{key}");
                foreach (var value in IsSecret(key) ? default : values)
                {
                    finding ??= ThreatRules.Inspect(value ?? "", $"form:{key}");
                }

                if (finding is not null)
                {
                    return finding;
                }
            }
        }
        else if (request.HasJsonContentType())
        {
            return await InspectJsonAsync(context, cancellationToken);
        }

        return null;
    }

    private static bool IsMultipart(HttpRequest request) =>
        request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true;

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
            return Walk(document.RootElement, "json:$", searchQuery);
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
                        ?? (IsSecret(property.Name) ? null : Walk(property.Value, $"{location}.{property.Name}", searchQuery));
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
}
