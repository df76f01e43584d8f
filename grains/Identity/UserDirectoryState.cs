namespace Surveillance.Identity;

/// <summary>Durable state of <see cref="UserDirectoryGrain"/>: every account and whether it is an active admin.</summary>
[GenerateSerializer, Alias("surveillance.UserDirectoryState")]
public sealed class UserDirectoryState
{
    [Id(0)] public Dictionary<string, bool> IsActiveAdminByUsername { get; set; } = [];
}
