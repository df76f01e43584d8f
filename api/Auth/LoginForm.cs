using System.Net.Mime;
using Surveillance.Api.Errors;
using Surveillance.Api.Http;
using Surveillance.Errors;

namespace Surveillance.Api.Auth;

/// <summary>
/// Reads credentials from either an OAuth2 password form (<c>application/x-www-form-urlencoded</c>)
/// a multipart form or a JSON body, as API.md allows them.
/// </summary>
public static class LoginForm
{
    public const int MaxPasswordLength = 1024;

    public static async Task<(string Username, string Password)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        LoginRequest? body;
        if (request.HasFormContentType)
        {
            var form = await ReadFormAsync(request, cancellationToken);
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

    // The edge has usually read the form already (intrusion detection); when it has not, an
    // undecodable value or a broken multipart boundary is the client's malformed body, 400.
    private static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (MalformedBody.IsFormDecodingError(e))
        {
            throw MalformedBody.FormRefusal();
        }
    }
}
