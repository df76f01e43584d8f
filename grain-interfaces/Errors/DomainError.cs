namespace Surveillance.Errors;

/// <summary>The kinds of refusal a grain can give; the API maps each to one status and error code.</summary>
public enum DomainError
{
    Validation = 0,
    NotFound = 1,
    Conflict = 2,
    Forbidden = 3,
    Unauthorized = 4,

    /// <summary>The service cannot do this right now (database outage, capacity used up); retry later (503).</summary>
    Unavailable = 5,
}
