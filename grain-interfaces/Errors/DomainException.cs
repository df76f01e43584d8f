namespace Surveillance.Errors;

/// <summary>
/// A refusal that is the caller's to fix (bad input, a conflict, a missing object). It crosses
/// the grain boundary intact, so the API can answer with a 4xx instead of a 500.
/// </summary>
[GenerateSerializer, Alias("surveillance.DomainException")]
public sealed class DomainException : Exception
{
    public DomainException(DomainError error, string message) : base(message) => Error = error;

    public DomainException() : this(DomainError.Validation, "Invalid request.") { }

    public DomainException(string message) : this(DomainError.Validation, message) { }

    public DomainException(string message, Exception innerException) : base(message, innerException) { }

    [Id(0)] public DomainError Error { get; private set; }

    public static DomainException Validation(string message) => new(DomainError.Validation, message);
    public static DomainException NotFound(string message) => new(DomainError.NotFound, message);
    public static DomainException Conflict(string message) => new(DomainError.Conflict, message);
    public static DomainException Forbidden(string message) => new(DomainError.Forbidden, message);
    public static DomainException Unavailable(string message) => new(DomainError.Unavailable, message);
}
