using System.Collections.Frozen;

namespace Surveillance.Api.Errors;

/// <summary>
/// The <c>error_code</c> of the problem this request answers with, when its status alone does not
/// say it (403 <c>IP_BLOCKED</c> rather than <c>FORBIDDEN</c>): set by <see cref="Problems"/>, read by
/// <see cref="ProblemDetailsEnricher"/> and the audit log. One shared instance per known code, so a
/// refusal on the edge's hot path allocates none.
/// </summary>
public sealed class ErrorCodeFeature
{
    private static readonly FrozenDictionary<string, ErrorCodeFeature> Known = new[]
    {
        ErrorCodes.Validation, ErrorCodes.SuspiciousInput, ErrorCodes.Unauthorized, ErrorCodes.Forbidden,
        ErrorCodes.IpBlocked, ErrorCodes.MfaRequired, ErrorCodes.NotFound, ErrorCodes.Conflict, ErrorCodes.FileTooLarge,
        ErrorCodes.UnsupportedFormat, ErrorCodes.RateLimited, ErrorCodes.Internal, ErrorCodes.ServiceUnavailable,
    }.ToFrozenDictionary(code => code, code => new ErrorCodeFeature(code), StringComparer.Ordinal);

    private ErrorCodeFeature(string code) => Code = code;

    public string Code { get; }

    public static ErrorCodeFeature For(string code) => Known.TryGetValue(code, out var feature) ? feature : new ErrorCodeFeature(code);

    /// <summary>The code named for this request, else the one its status implies.</summary>
    public static string Of(HttpContext context, int status) =>
        context.Features.Get<ErrorCodeFeature>()?.Code ?? ErrorCodes.ForStatus(status);
}
