namespace Surveillance.Api.Http;

/// <summary>
/// Cross-origin access, section <c>Cors</c>: only the listed origins. <c>*</c> is refused at
/// start-up (a token-bearing API must never be readable by any origin); an empty list means no
/// cross-origin access. Development, when nothing is configured, allows the local front ends.
/// </summary>
public static class CorsSettings
{
    public const string Section = "Cors:AllowedOrigins";
    public const string PolicyName = "configured-origins";

    public static readonly string[] DevelopmentDefaults =
        ["http://localhost:3000", "http://localhost:8501", "http://127.0.0.1:8501"];

    public static IServiceCollection AddConfiguredCors(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetSection(Section).Get<string[]>();
        var origins = configured ?? (environment.IsDevelopment() ? DevelopmentDefaults : []);
        if (origins.Any(o => o.Contains('*', StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"{Section} must list origins explicitly; '*' is not allowed.");
        }

        var invalid = origins.Where(o => !Uri.TryCreate(o, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || o.EndsWith('/')).ToList();
        if (invalid.Count > 0)
        {
            throw new InvalidOperationException($"{Section}: '{string.Join("', '", invalid)}' is not an origin (scheme://host[:port]).");
        }

        return services.AddCors(cors => cors.AddPolicy(PolicyName, policy => policy
            .WithOrigins(origins)
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            .WithHeaders("Authorization", "Content-Type")
            .WithExposedHeaders("X-RateLimit-Remaining", "X-RateLimit-Reset")
            .SetPreflightMaxAge(TimeSpan.FromSeconds(3600))));
    }
}
