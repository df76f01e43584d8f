namespace Surveillance.Api.Errors;

/// <summary>
/// A refusal decided in the API itself (upload limits, suspicious input found mid-stream) with
/// its status and, when the status alone does not say it, its error code.
/// </summary>
public sealed class HttpProblemException(int status, string detail, string? errorCode = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string? ErrorCode { get; } = errorCode;

    /// <summary>Headers the answer must carry (e.g. <c>Content-Range</c> on a 416); set after the response is cleared.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static HttpProblemException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ProblemMessages.UploadTooLarge(maxBytes));

    public static HttpProblemException Unsupported(string detail) =>
        new(StatusCodes.Status415UnsupportedMediaType, detail);
}
