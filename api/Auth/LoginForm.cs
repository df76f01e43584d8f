using System.Net.Mime;
using Surveillance.Api.Http;
using Surveillance.Errors;

namespace Surveillance.Api.Auth;

/// <summary>
/// Reads credentials from either an OAuth2 password form (<c>application/x-www-form-urlencoded</c>)
/// or a JSON body, as API.md allows both.
/// </summary>
public static class LoginForm
{
    public const int MaxPasswordLength = 1024;

    public static async Task<(string Username, string Password)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        LoginRequest? body;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            body = new LoginRequest(form["username"], form["password"], form["grant_type"]);
        }
        else if (request.HasJsonContentType())
        {
            body = await request.ReadFromJsonAsync<LoginRequest>(cancellationToken);
        }
        else
        {
            throw new BadHttpRequestException(
                $"Send {MediaTypeNames.Application.FormUrlEncoded} or {MediaTypeNames.Application.Json}.",
                StatusCodes.Status415UnsupportedMediaType);
        }

        body = Require.Body(body);
        if (body.GrantType is { Length: > 0 } grant && grant != "password")
        {
            throw DomainException.Validation("'grant_type' must be 'password' when present.");
        }

        return (Require.Field(body.Username, "username", maxLength: 256),
                Require.Field(body.Password, "password", MaxPasswordLength));
    }
}
