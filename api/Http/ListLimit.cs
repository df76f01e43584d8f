using Surveillance.Errors;

namespace Surveillance.Api.Http;

/// <summary>The <c>limit</c> of a listing (videos, jobs): 1 to <see cref="Max"/>, <see cref="Default"/> when absent.</summary>
public static class ListLimit
{
    public const int Default = 100;
    public const int Max = 1000;

    public static int From(int? limit)
    {
        var take = limit ?? Default;
        return take is >= 1 and <= Max ? take : throw DomainException.Validation($"'limit' must be 1 to {Max}.");
    }
}
