using Surveillance.Api.Auth;
using Surveillance.Api.Edge;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;
using Surveillance.Audit;

namespace Surveillance.Api.Audit;

/// <summary>
/// Records one audit entry per request that API.md "Audit" names: every state-changing method,
/// every response ≥ 400, and every request to an endpoint marked <see cref="AuditEveryRequestMetadata"/>
/// (login, upload, <c>/admin/*</c>). What an endpoint's requests are called and how they are kept is
/// its metadata (<see cref="AuditEndpointExtensions"/>), read from the endpoint routing chose before
/// this middleware runs (the exception handler clears it later). It sits right after the request-id middleware, outside the exception handler, and reads
/// the user and the status once the rest of the pipeline has run. A security event is stored
/// from <c>Response.OnStarting</c>, i.e. before the first byte of its response leaves (and a failure
/// to store it fails the response); routine entries go through the background queue.
/// </summary>
public sealed partial class AuditMiddleware(RequestDelegate next, IAuditLog audit, TimeProvider time, ILogger<AuditMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = new RequestState(time.GetUtcNow(), RouteMetadata.Of(context));
        context.Response.OnStarting(() => RecordSecurityEventAsync(context, request));
        var threw = true;
        try
        {
            await next(context);
            threw = false;
        }
        finally
        {
            await RecordAfterPipelineAsync(context, request, threw);
        }
    }

    /// <summary>Before the response starts: security events only, awaited.</summary>
    private async Task RecordSecurityEventAsync(HttpContext context, RequestState request)
    {
        if (request.Recorded)
        {
            return;
        }

        var entry = Build(context, request, context.Response.StatusCode);
        if (entry is not null && IsSecurity(context, request, entry))
        {
            request.Recorded = true;
            try
            {
                await audit.RecordAsync(entry, CancellationToken.None);
            }
            catch (Exception exception) when (entry.StatusCode >= 500 && ClusterFaults.IsTransient(exception))
            {
                // The answer already refuses (a 503 of the same outage): it grants nothing that needed the
                // record, and failing it here would turn that 503 into an empty 500.
                LogSecurityEventLost(logger, exception, entry.Event, entry.RequestId);
            }
        }
    }

    private async Task RecordAfterPipelineAsync(HttpContext context, RequestState request, bool threw)
    {
        if (request.Recorded)
        {
            return;
        }

        request.Recorded = true;
        // An exception that escaped the handler ends as a 500 by the server, whatever was set.
        var entry = Build(context, request, threw ? StatusCodes.Status500InternalServerError : context.Response.StatusCode);
        if (entry is null)
        {
            return;
        }

        if (!IsSecurity(context, request, entry))
        {
            audit.Enqueue(entry);
            return;
        }

        try
        {
            // A response without a body (204, a bare status) has not started yet: still before it.
            await audit.RecordAsync(entry, CancellationToken.None);
        }
        catch (Exception exception) when (!threw && !context.Response.HasStarted && ClusterFaults.IsTransient(exception))
        {
            // Fail closed: a security event that cannot be recorded does not get its success answer.
            LogSecurityEventLost(logger, exception, entry.Event, entry.RequestId);
            await AnswerUnavailableAsync(context);
        }
    }

    private static AuditEntry? Build(HttpContext context, RequestState request, int status)
    {
        if (EdgeRefusals.IsRefusal(context))
        {
            return null; // counted, and audited in aggregate (EdgeRefusals)
        }

        var feature = context.Features.Get<AuditEventFeature>();
        var httpRequest = context.Request;
        var path = httpRequest.PathBase + httpRequest.Path;
        var named = feature?.Event;
        if (named is null && !MustRecord(httpRequest.Method, request.Endpoint, status))
        {
            return null;
        }

        var name = named ?? RequestAuditEvents.Infer(request.Endpoint, status);
        var user = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(TokenClaims.Subject)?.Value : null;
        return new AuditEntry
        {
            Timestamp = request.StartedAt,
            RequestId = context.TraceIdentifier,
            Username = user ?? feature?.Username ?? AuditEntry.Anonymous,
            ClientIp = ClientAddress.Of(context),
            Method = httpRequest.Method,
            Path = path.Value ?? "/",
            StatusCode = status,
            UserAgent = httpRequest.Headers.UserAgent.ToString(),
            IsSensitive = feature?.IsSensitive ?? (AuditEvents.IsSecurityEvent(name) || IsSecurityEndpoint(request.Endpoint)),
            Event = name,
            Error = status >= 400 ? ErrorCodeFeature.Of(context, status) : null,
            Details = feature?.Details.Count > 0 ? new Dictionary<string, string>(feature.Details) : null,
        };
    }

    /// <summary>API.md "Audit": which requests are recorded when their handler named no event.</summary>
    private static bool MustRecord(string method, EndpointMetadataCollection? endpoint, int status) =>
        status >= 400
        || IsStateChanging(method)
        || endpoint?.GetMetadata<AuditEveryRequestMetadata>() is not null;

    /// <summary>
    /// Stored before the response: named security events, any change through a security endpoint
    /// (accounts, roles, blocks, keys), and every successful DELETE.
    /// </summary>
    private static bool IsSecurity(HttpContext context, RequestState request, AuditEntry entry)
    {
        if (AuditEvents.IsSecurityEvent(entry.Event))
        {
            return true;
        }

        var method = context.Request.Method;
        return IsStateChanging(method) && (IsSecurityEndpoint(request.Endpoint) || (HttpMethods.IsDelete(method) && entry.StatusCode < 400));
    }

    private static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static bool IsSecurityEndpoint(EndpointMetadataCollection? endpoint) =>
        endpoint?.GetMetadata<SecurityAuditMetadata>() is not null;

    private static async Task AnswerUnavailableAsync(HttpContext context)
    {
        var requestId = context.Response.Headers[RequestIdMiddleware.Header];
        context.Response.Clear();
        context.Response.Headers[RequestIdMiddleware.Header] = requestId;
        await Problems.UnavailableAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Security audit event {Event} of request {RequestId} could not be stored; answering 503")]
    private static partial void LogSecurityEventLost(ILogger logger, Exception exception, string @event, string requestId);

    private sealed class RequestState(DateTimeOffset startedAt, EndpointMetadataCollection? endpoint)
    {
        public DateTimeOffset StartedAt { get; } = startedAt;

        /// <summary>The metadata of the endpoint routing chose; null for a request that matched none.</summary>
        public EndpointMetadataCollection? Endpoint { get; } = endpoint;
        public bool Recorded { get; set; }
    }
}
