using Surveillance.Api.Http;

namespace Surveillance.Api.Errors;

/// <summary>
/// The <c>detail</c> texts of the API's own refusals, in one place so that the same refusal reads
/// the same wherever it is decided. Grains word their <c>DomainException</c>s themselves: those
/// texts travel with the decision across the cluster.
/// </summary>
public static class ProblemMessages
{
    public const string RateLimited = "Too many requests from this IP; retry later.";
    public const string LoginBusy = "Login capacity is used up; retry shortly.";
    public const string Unavailable = "The service is temporarily unavailable; retry shortly.";
    public const string AuthenticationRequired = "Authentication is required: send 'Authorization: Bearer <token>'.";
    public const string InvalidToken = "The token is invalid, expired or revoked.";
    public const string RolesForbid = "Your roles do not allow this.";
    public const string MfaRequired =
        "Your role requires multi-factor authentication: enroll at /auth/mfa/totp/enroll, confirm, then log in again.";

    public const string BodyTooLarge = "The request body is too large.";
    public const string ContentTypeUnsupported = "The request's Content-Type is not supported here.";
    public const string MalformedRequest = "The request is malformed: check the body's JSON and the required fields.";
    public const string InvalidJson = "The request body is not valid JSON.";
    public const string MalformedFraming = "The request body is malformed: its framing (chunk sizes, multipart boundaries) does not parse.";
    public const string MalformedForm =
        "The form body is malformed: check its encoding, its values and the multipart boundary (1 to 70 characters).";
    public const string InvalidJsonString =
        "The JSON body holds a string that is not valid Unicode (invalid UTF-8 or an unpaired surrogate escape).";
    public const string Unexpected = "An unexpected error occurred.";

    public static string IpBlocked(DateTimeOffset until) => $"This IP is blocked until {UtcTimestamp.Format(until)}.";

    public static string SuspiciousInput(string location) => $"The request was refused: suspicious input in {location}.";

    public static string UploadTooLarge(long maxBytes) => $"The upload is larger than the limit of {maxBytes} bytes.";
}
