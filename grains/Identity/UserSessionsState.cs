namespace Surveillance.Identity;

/// <summary>Durable state of <see cref="UserSessionsGrain"/>: live token ids and their expiry.</summary>
[GenerateSerializer, Alias("surveillance.UserSessionsState")]
public sealed class UserSessionsState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> ExpiryByTokenId { get; set; } = [];
}
