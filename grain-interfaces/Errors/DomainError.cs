namespace Surveillance.Errors;

/// <summary>The kinds of refusal a grain can give; the API maps each to one status and error code.</summary>
public enum DomainError
{
    Validation = 0,
    NotFound = 1,
    Conflict = 2,
    Forbidden = 3,
    Unauthorized = 4,
}
