using Microsoft.AspNetCore.Http.HttpResults;
using Surveillance.Api.Audit;
using Surveillance.Api.Auth;
using Surveillance.Api.Http;
using Surveillance.Errors;
using Surveillance.Identity;
using Surveillance.Audit;

namespace Surveillance.Api.Admin;

/// <summary><c>/admin/users</c>: account administration, for the <c>admin</c> role only.</summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/admin/users").WithTags("Administration").RequireAuthorization(Policies.Admin)
            .WithCachePolicy(CachePolicy.NoStore).AuditAsSecurity().AuditEveryRequest();
        api.MapPost("/", CreateAsync);
        api.MapGet("/", ListAsync);
        api.MapGet("/{username}", GetAsync);
        api.MapPatch("/{username}", UpdateAsync);
        api.MapPost("/{username}/reset-password", ResetPasswordAsync);
        api.MapPost("/{username}/reset-mfa", ResetMfaAsync);
        api.MapDelete("/{username}", DeleteAsync);
        return api;
    }

    private static IUserDirectoryGrain Directory(IGrainFactory grains) => grains.GetGrain<IUserDirectoryGrain>(0);

    private static async Task<Created<UserResponse>> CreateAsync(CreateUserRequest? body, IGrainFactory grains, HttpContext http)
    {
        body = Require.Body(body);
        var profile = await Directory(grains).CreateUserAsync(new NewUser(
            Require.Field(body.Username, "username", Usernames.MaxLength * 2),
            Require.Field(body.Password, "password", LoginForm.MaxPasswordLength),
            Require.Field(body.Email, "email", 320),
            body.Roles ?? []));
        http.Audit(AuditEvents.UserCreated, details: new Dictionary<string, string>
        {
            ["target"] = profile.Username,
            ["email"] = profile.Email,
            ["roles"] = string.Join(',', profile.Roles),
        });
        return TypedResults.Created($"/admin/users/{profile.Username}", UserResponse.From(profile));
    }

    private static async Task<Ok<UserListResponse>> ListAsync(IGrainFactory grains)
    {
        var usernames = await Directory(grains).ListUsernamesAsync();
        var profiles = await Task.WhenAll(usernames.Select(u => grains.GetGrain<IUserGrain>(u).GetAsync()));
        return TypedResults.Ok(new UserListResponse(
            profiles.OfType<UserProfile>().Select(AdminUserResponse.From).ToList()));
    }

    private static async Task<Ok<AdminUserResponse>> GetAsync(string username, IGrainFactory grains)
    {
        var profile = await grains.GetGrain<IUserGrain>(KnownFormat(username)).GetAsync()
            ?? throw NoSuchUser();
        return TypedResults.Ok(AdminUserResponse.From(profile));
    }

    private static async Task<Ok<UserResponse>> UpdateAsync(string username, UpdateUserRequest? body, IGrainFactory grains, HttpContext http)
    {
        body = Require.Body(body);
        var profile = await Directory(grains).UpdateUserAsync(
            KnownFormat(username), new UserPatch(body.Email, body.Roles, body.IsActive));
        var changes = new Dictionary<string, string> { ["target"] = profile.Username };
        if (body.Email is not null)
        {
            changes["email"] = profile.Email;
        }

        if (body.Roles is not null)
        {
            changes["roles"] = string.Join(',', profile.Roles);
        }

        if (body.IsActive is not null)
        {
            changes["is_active"] = profile.IsActive ? "true" : "false";
        }

        http.Audit(AuditEvents.UserUpdated, details: changes);
        return TypedResults.Ok(UserResponse.From(profile));
    }

    private static async Task<Ok<MessageResponse>> ResetPasswordAsync(string username, ResetPasswordRequest? body, IGrainFactory grains, HttpContext http)
    {
        body = Require.Body(body);
        var target = KnownFormat(username);
        await grains.GetGrain<IUserGrain>(target)
            .ResetPasswordAsync(Require.Field(body.NewPassword, "new_password", LoginForm.MaxPasswordLength));
        http.Audit(AuditEvents.UserUpdated, details: new Dictionary<string, string> { ["target"] = target, ["action"] = "reset_password" });
        return TypedResults.Ok(new MessageResponse("Password reset successfully"));
    }

    /// <summary>For a lost authenticator: turns MFA off and ends every session of the account (API.md).</summary>
    private static async Task<NoContent> ResetMfaAsync(string username, IGrainFactory grains, HttpContext http)
    {
        var target = KnownFormat(username);
        await grains.GetGrain<IUserGrain>(target).ResetMfaAsync();
        http.Audit(AuditEvents.MfaReset, details: new Dictionary<string, string> { ["target"] = target });
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteAsync(string username, IGrainFactory grains, HttpContext http)
    {
        var target = KnownFormat(username);
        await Directory(grains).DeleteUserAsync(target);
        http.Audit(AuditEvents.UserDeleted, details: new Dictionary<string, string> { ["target"] = target });
        return TypedResults.NoContent();
    }

    /// <summary>A name that cannot be a username cannot exist: 404 without touching a grain.</summary>
    private static string KnownFormat(string username)
    {
        var normalized = Usernames.Normalize(username);
        return Usernames.IsValid(normalized) ? normalized : throw NoSuchUser();
    }

    private static DomainException NoSuchUser() => DomainException.NotFound("No such user.");
}
