using Surveillance.Errors;

namespace Surveillance.Api.Http;

/// <summary>Presence checks for request fields, answering 400 <c>VALIDATION_ERROR</c> that names the field.</summary>
public static class Require
{
    public static string Field(string? value, string name, int maxLength = 4096)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw DomainException.Validation($"'{name}' is required.");
        }

        return value.Length <= maxLength
            ? value
            : throw DomainException.Validation($"'{name}' is longer than {maxLength} characters.");
    }

    public static T Body<T>(T? body) where T : class =>
        body ?? throw DomainException.Validation("A JSON body is required.");
}
