using Microsoft.Extensions.Options;
using Surveillance.Identity;

namespace Surveillance.Api.Auth;

/// <summary>
/// <c>Auth:RequireMfaForRoles</c>: roles whose accounts must use multi-factor authentication (ASVS
/// 6.3.3). Unset, it is <c>["admin"]</c> in Production and empty elsewhere, so that the README's
/// Development walkthrough needs one password.
/// </summary>
public sealed class MfaOptions
{
    public const string Section = "Auth";

    public string[]? RequireMfaForRoles { get; set; }

    /// <summary>True when the account holds a role that requires MFA.</summary>
    public bool Requires(UserProfile profile) =>
        RequireMfaForRoles is { Length: > 0 } roles && profile.Roles.Any(roles.Contains);
}

public static class MfaOptionsExtensions
{
    public static IServiceCollection AddMfaOptions(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<MfaOptions>()
            .Bind(configuration.GetSection(MfaOptions.Section))
            .PostConfigure(o => o.RequireMfaForRoles ??= environment.IsProduction() ? [Roles.Admin] : [])
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MfaOptions>, MfaOptionsValidator>();
        return services;
    }
}

internal sealed class MfaOptionsValidator : IValidateOptions<MfaOptions>
{
    public ValidateOptionsResult Validate(string? name, MfaOptions options) =>
        options.RequireMfaForRoles!.All(Roles.All.Contains)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Auth:RequireMfaForRoles may name only these roles: {string.Join(", ", Roles.All.Order())}.");
}
