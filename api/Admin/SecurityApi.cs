using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Surveillance.Api.Audit;
using Surveillance.Api.Auth;
using Surveillance.Api.Edge;
using Surveillance.Api.Http;
using Surveillance.Edge;
using Surveillance.Errors;
using Surveillance.Audit;

namespace Surveillance.Api.Admin;

/// <summary><c>/admin/security</c>: blocked IPs and what the edge knows of an IP.</summary>
public static class SecurityApi
{
    public const int MaxBlockSeconds = 30 * 86_400;

    public static RouteGroupBuilder MapSecurityApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/admin/security").WithTags("Administration").RequireAuthorization(Policies.Admin)
            .WithCachePolicy(CachePolicy.NoStore).AuditAsSecurity().AuditEveryRequest();
        api.MapGet("/blocked-ips", ListBlockedAsync);
        api.MapPost("/blocked-ips", BlockAsync);
        api.MapDelete("/blocked-ips/{ip}", UnblockAsync);
        api.MapGet("/ips/{ip}", GetIpAsync);
        return api;
    }

    private static async Task<Ok<BlockedIpListResponse>> ListBlockedAsync(IGrainFactory grains)
    {
        var blocks = await grains.GetGrain<IBlockedIpsGrain>(0).ListAsync();
        return TypedResults.Ok(new BlockedIpListResponse(blocks.Select(BlockedIpResponse.From).ToList()));
    }

    private static async Task<Created<BlockedIpResponse>> BlockAsync(BlockIpRequest? body, IGrainFactory grains, AdmissionCache admissions, ClientIpResolver clients, HttpContext http)
    {
        body = Require.Body(body);
        var ip = ParseIp(Require.Field(body.Ip, "ip", 64), clients);
        var reason = Require.Field(body.Reason, "reason", 200);
        var seconds = body.DurationSeconds ?? throw DomainException.Validation("'duration_seconds' is required.");
        if (seconds is < 1 or > MaxBlockSeconds)
        {
            throw DomainException.Validation($"'duration_seconds' must be 1 to {MaxBlockSeconds}.");
        }

        var block = await grains.GetGrain<IClientIpGrain>(ip).BlockAsync(reason, seconds);
        admissions.Blocked(ip, block);
        http.Audit(AuditEvents.IpBlocked, details: new Dictionary<string, string>
        {
            ["ip"] = ip,
            ["reason"] = reason,
            ["duration_seconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        return TypedResults.Created($"/admin/security/ips/{ip}", BlockedIpResponse.From(block));
    }

    private static async Task<NoContent> UnblockAsync(string ip, IGrainFactory grains, AdmissionCache admissions, ClientIpResolver clients, HttpContext http)
    {
        var normalized = ParseIp(ip, clients);
        await grains.GetGrain<IClientIpGrain>(normalized).UnblockAsync();
        admissions.Forget(normalized);
        http.Audit(AuditEvents.IpUnblocked, details: new Dictionary<string, string> { ["ip"] = normalized });
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IpStatusResponse>> GetIpAsync(string ip, IGrainFactory grains, ClientIpResolver clients)
    {
        var status = await grains.GetGrain<IClientIpGrain>(ParseIp(ip, clients)).GetStatusAsync();
        return TypedResults.Ok(new IpStatusResponse(
            status.Ip, status.Block is not null, status.Block is { } b ? BlockedIpResponse.From(b) : null,
            status.BlockCount, status.Allowlisted, status.FailedLogins, status.Threats, status.RateWindows));
    }

    /// <summary>
    /// Grain keys are client keys: <c>::ffff:1.2.3.4</c> and <c>1.2.3.4</c> are one IP, and an IPv6
    /// address stands for its /64 (blocking one address blocks the prefix it was handed).
    /// </summary>
    private static string ParseIp(string value, ClientIpResolver clients) => IPAddress.TryParse(value, out var address)
        ? clients.KeyOf(address)
        : throw DomainException.Validation("'ip' must be an IPv4 or IPv6 address.");
}
