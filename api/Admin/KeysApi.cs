using Microsoft.AspNetCore.Http.HttpResults;
using Surveillance.Api.Audit;
using Surveillance.Api.Auth;
using Surveillance.Api.Http;
using Surveillance.Videos;
using Surveillance.Audit;

namespace Surveillance.Api.Admin;

/// <summary><c>/admin/keys</c>: master-key rotation.</summary>
public static class KeysApi
{
    public sealed record RotationResponse(string ActiveKeyId, int Rewrapped);

    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/admin/keys").WithTags("Administration").RequireAuthorization(Policies.Admin)
            .WithCachePolicy(CachePolicy.NoStore).AuditAsSecurity().AuditEveryRequest();
        api.MapPost("/rotate", RotateAsync);
        return api;
    }

    /// <summary>
    /// Re-wraps every video's data key under the configured active master key
    /// (<c>Storage:ActiveKeyId</c>). No video bytes are re-encrypted.
    /// </summary>
    private static async Task<Ok<RotationResponse>> RotateAsync(IGrainFactory grains, HttpContext http)
    {
        var result = await grains.GetGrain<IKeyRotationGrain>(0).RotateAsync();
        http.Audit(AuditEvents.KeyRotated, details: new Dictionary<string, string>
        {
            ["active_key_id"] = result.ActiveKeyId,
            ["rewrapped"] = result.Rewrapped.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        return TypedResults.Ok(new RotationResponse(result.ActiveKeyId, result.Rewrapped));
    }
}
