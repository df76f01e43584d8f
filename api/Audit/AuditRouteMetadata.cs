namespace Surveillance.Api.Audit;

/// <summary>
/// The audit event of an endpoint's requests by outcome, when its handler does not name one
/// (<see cref="AuditHttpContextExtensions.Audit"/>): <paramref name="OnSuccess"/> for 2xx and 3xx,
/// <paramref name="OnFailure"/> (or the status's own event when null) for the rest.
/// </summary>
public sealed record AuditEventMetadata(string OnSuccess, string? OnFailure);

/// <summary>Every request to the endpoint is recorded, reads too (API.md "Audit": login, upload, <c>/admin/*</c>).</summary>
public sealed class AuditEveryRequestMetadata
{
    public static readonly AuditEveryRequestMetadata Instance = new();

    private AuditEveryRequestMetadata()
    {
    }
}

/// <summary>
/// An account, session or administration endpoint (<c>/auth/*</c>, <c>/admin/*</c>): its entries
/// are sensitive, and its state changes are stored before the response is sent.
/// </summary>
public sealed class SecurityAuditMetadata
{
    public static readonly SecurityAuditMetadata Instance = new();

    private SecurityAuditMetadata()
    {
    }
}

public static class AuditEndpointExtensions
{
    /// <summary>Names the endpoint's audit event by outcome, e.g. <c>.WithAuditEvent(AuditEvents.PasswordChange, AuditEvents.PasswordChangeFail)</c>.</summary>
    public static TBuilder WithAuditEvent<TBuilder>(this TBuilder builder, string onSuccess, string? onFailure = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuditEventMetadata(onSuccess, onFailure));

    public static TBuilder AuditEveryRequest<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AuditEveryRequestMetadata.Instance);

    public static TBuilder AuditAsSecurity<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(SecurityAuditMetadata.Instance);
}
