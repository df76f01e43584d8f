using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Surveillance.Api.Admin;
using Surveillance.Api.Audit;
using Surveillance.Api.Auth;
using Surveillance.Api.Edge;
using Surveillance.Api.Errors;
using Surveillance.Api.Hosting.Https;
using Surveillance.Api.Health;
using Surveillance.Api.Http;
using Surveillance.Api.Processing;
using Surveillance.Api.Projects;
using Surveillance.Api.Telemetry;
using Surveillance.Api.Videos;
using Surveillance.Audit;
using Surveillance.Hosting;
using Surveillance.Identity;

namespace Surveillance.Api.Hosting;

/// <summary>The API's wiring, so that Program.cs stays a table of contents.</summary>
public static class ApiHostingExtensions
{
    public static WebApplicationBuilder AddSurveillanceApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.AddClusterConnection();
        builder.AddApiHttps();

        services.AddOptions<JwtOptions>().Bind(builder.Configuration.GetSection(JwtOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TokenIssuer>();
        services.AddMfaOptions(builder.Configuration, builder.Environment);
        services.AddSingleton<SessionCache>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Roles.Admin));

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDetailsEnricher.Enrich);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new UtcTimestamp());
        });
        services.AddSurveillanceHealthChecks();
        services.AddSurveillanceAudit(builder.Configuration);
        services.AddConfiguredCors(builder.Configuration, builder.Environment);
        services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<ClientIpResolver>();
        services.AddSingleton<RateRules>();
        services.AddSingleton<AimedRoutes>();
        services.AddSingleton<AdmissionCache>();
        services.AddSingleton<BlockList>();
        services.AddHostedService<BlockListSubscription>();
        services.AddSingleton<EdgeRefusals>();
        services.AddSingleton<Auth.LoginGate>();
        services.AddHostedService<EdgeRefusalsWriter>();
        services.AddTrustedProxyHeaders();
        services.AddOptions<UploadOptions>()
            .Bind(builder.Configuration.GetSection(UploadOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>();
        services.AddVideoFiles(builder.Configuration);
        services.AddScoped<UploadReceiver>();
        services.AddOpenApi();
        builder.AddApiTelemetry();
        return builder;
    }

    public static WebApplication UseSurveillanceApi(this WebApplication app)
    {
        // First, as WebApplication would place it: every middleware below reads the chosen endpoint's
        // metadata (rate rule, audit event, cache policy). Matching is cheap and runs no auth.
        app.UseRouting();
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseForwardedHeaders();
        app.UseSurveillanceAudit();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseApiHttps();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<BlockGuardMiddleware>();
        app.UseCors(CorsSettings.PolicyName);
        app.UseMiddleware<EdgeGuardMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<MfaGate>();
        app.UseAuthorization();

        app.MapHealthApi();
        app.MapOpenApi();
        app.MapAuthApi();
        app.MapMfaApi();
        app.MapUsersApi();
        app.MapAuditApi();
        app.MapSecurityApi();
        app.MapKeysApi();
        app.MapProjectsApi();
        app.MapVideosApi();
        app.MapResultsApi();
        app.MapJobsApi();
        app.MapSearchApi();
        app.MapFrameImageApi();
        app.MapAnalyticsApi();
        return app;
    }
}
