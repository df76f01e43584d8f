namespace Surveillance.Api.Errors;

/// <summary>
/// A request body that cannot be decoded or framed (invalid UTF-8 or a lone surrogate in a JSON
/// string, a form value that does not decode, a multipart body without a usable boundary) is the
/// client's error: 400 <c>VALIDATION_ERROR</c>, never a 500. The body readers translate their
/// decoders' exceptions into this one refusal where they read.
/// </summary>
public static class MalformedBody
{
    public static HttpProblemException Refuse(string detail) =>
        new(StatusCodes.Status400BadRequest, detail, ErrorCodes.Validation);

    /// <summary>
    /// What the form and multipart readers throw for a body they cannot parse (ASP.NET's
    /// <c>FormPipeReader</c> and <c>MultipartReader</c> use <see cref="InvalidDataException"/> for
    /// undecodable values, missing or over-long boundaries and exceeded counts).
    /// </summary>
    public static bool IsFormDecodingError(Exception exception) =>
        exception is InvalidDataException || IsBodyFramingError(exception);

    /// <summary>
    /// Framing errors that the body readers report as a plain <see cref="IOException"/> rather than a
    /// <see cref="BadHttpRequestException"/>: Kestrel's chunked decoder on a chunk size that
    /// overflows, WebUtilities' multipart reader on a body that ends before its closing boundary.
    /// Told apart from the server's own I/O (a video file) by where they were thrown.
    /// </summary>
    public static bool IsBodyFramingError(Exception exception) =>
        exception is IOException and not BadHttpRequestException
        && exception.TargetSite?.DeclaringType?.Namespace is { } origin
        && (origin.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal)
            || origin.StartsWith("Microsoft.AspNetCore.WebUtilities", StringComparison.Ordinal));

    public static HttpProblemException FormRefusal() =>
        Refuse(ProblemMessages.MalformedForm);

    /// <summary>
    /// System.Text.Json reads a string's bytes lazily: a JSON text that parses can still hold invalid
    /// UTF-8 or an unpaired surrogate escape (<c>\ud800</c>), reported as InvalidOperationException
    /// when the string is decoded.
    /// </summary>
    public static HttpProblemException JsonStringRefusal() =>
        Refuse(ProblemMessages.InvalidJsonString);
}
