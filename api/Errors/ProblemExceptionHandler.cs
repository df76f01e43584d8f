using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Surveillance.Api.Telemetry;
using Surveillance.Errors;

namespace Surveillance.Api.Errors;

/// <summary>
/// The one place that turns exceptions into problem+json (API.md "General"). Domain refusals
/// and malformed requests are 4xx; an unreachable cluster or database is 503 with
/// <c>Retry-After</c>; anything else is a bug (500) whose details stay in the log.
/// </summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return true; // The client went away; there is no one to answer.
        }

        // Orleans may wrap a grain's refusal (e.g. one raised while activating the grain): the refusal decides.
        exception = DomainRefusal(exception) ?? exception;
        var (status, detail) = Classify(exception);
        if (exception is HttpProblemException problemException)
        {
            foreach (var (name, value) in problemException.Headers)
            {
                context.Response.Headers[name] = value;
            }
        }

        TimeSpan? retryAfter = null;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            logger.LogWarning(exception, "Cluster or database unavailable while serving {Path}", context.Request.Path);
            context.Metrics().StorageFault("api");
            retryAfter = Problems.UnavailableRetryAfter;
        }
        else if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error while serving {Path}", context.Request.Path);
        }

        var code = (exception as HttpProblemException)?.ErrorCode ?? ErrorCodes.ForStatus(status);
        return await Problems.TryWriteAsync(context, status, code, detail, retryAfter);
    }

    private static (int Status, string Detail) Classify(Exception exception) => exception switch
    {
        DomainException domain => (StatusFor(domain.Error), domain.Message),
        HttpProblemException problem => (problem.Status, problem.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, ProblemMessages.BodyTooLarge),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            (StatusCodes.Status415UnsupportedMediaType, ProblemMessages.ContentTypeUnsupported),
        BadHttpRequestException bad when bad.StatusCode is >= 400 and < 500 =>
            (bad.StatusCode, ProblemMessages.MalformedRequest),
        JsonException => (StatusCodes.Status400BadRequest, ProblemMessages.InvalidJson),
        _ when MalformedBody.IsBodyFramingError(exception) =>
            (StatusCodes.Status400BadRequest, ProblemMessages.MalformedFraming),
        // A body reader that did not translate its decoder's error itself (MalformedBody): still the client's bytes.
        _ when MalformedBody.IsFormDecodingError(exception) => (StatusCodes.Status400BadRequest, ProblemMessages.MalformedForm),
        _ when ClusterFaults.IsTransient(exception) =>
            (StatusCodes.Status503ServiceUnavailable, ProblemMessages.Unavailable),
        _ => (StatusCodes.Status500InternalServerError, ProblemMessages.Unexpected),
    };

    private static DomainException? DomainRefusal(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 8; depth++, exception = exception.InnerException)
        {
            if (exception is DomainException domain)
            {
                return domain;
            }
        }

        return null;
    }

    private static int StatusFor(DomainError error) => error switch
    {
        DomainError.NotFound => StatusCodes.Status404NotFound,
        DomainError.Conflict => StatusCodes.Status409Conflict,
        DomainError.Forbidden => StatusCodes.Status403Forbidden,
        DomainError.Unauthorized => StatusCodes.Status401Unauthorized,
        DomainError.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };
}
