using Microsoft.AspNetCore.Routing.Template;

namespace Surveillance.Api.Http;

/// <summary>
/// The metadata of the endpoint a request aimed at, which the edge, the audit and the security
/// headers read (rate rule, audit event, cache policy). Routing runs first, so this is usually the
/// endpoint it chose. When routing refused the request for its method (405) or content type (415),
/// it chose a stand-in without metadata; the request still aimed at a route of ours, and is treated
/// as that route's (an upload with the wrong content type counts against the upload limit, a GET on
/// <c>/auth/login</c> is not cached). Null for a path no route matches (a 404 probe): the defaults.
/// </summary>
public static class RouteMetadata
{
    public static EndpointMetadataCollection? Of(HttpContext context) => context.GetEndpoint() switch
    {
        null => null,
        RouteEndpoint chosen => chosen.Metadata,
        _ => context.RequestServices.GetRequiredService<AimedRoutes>().Find(context.Request.Path)?.Metadata,
    };
}

/// <summary>Matches a path against the routes alone, ignoring method and content type (for <see cref="RouteMetadata"/>).</summary>
public sealed class AimedRoutes(EndpointDataSource endpoints)
{
    private IReadOnlyList<(TemplateMatcher Matcher, RouteEndpoint Endpoint)>? _routes;

    public RouteEndpoint? Find(PathString path)
    {
        // Built on first use: the endpoints exist once the application is built. Literal routes
        // first, as routing prefers them (/videos/{id}/content over a parameter in its place).
        _routes ??= endpoints.Endpoints.OfType<RouteEndpoint>()
            .OrderBy(e => e.RoutePattern.Parameters.Count)
            .Select(e => (new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary()), e))
            .ToList();
        foreach (var (matcher, endpoint) in _routes)
        {
            if (matcher.TryMatch(path, new RouteValueDictionary()))
            {
                return endpoint;
            }
        }

        return null;
    }
}
