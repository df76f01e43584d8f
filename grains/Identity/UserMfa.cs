using Surveillance.Videos;

namespace Surveillance.Identity;

/// <summary>
/// The TOTP factor of one account, part of <see cref="UserState"/>. The secret is stored only
/// sealed under the master key (<see cref="MfaSecretCipher"/>); recovery codes only as SHA-256
/// hashes (each holds 120 random bits, so a fast hash suffices: ASVS 6.5.2). Never rename this
/// class and never reuse an <c>[Id]</c>: it is stored as JSON with its type name.
/// </summary>
[GenerateSerializer, Alias("surveillance.UserMfa")]
public sealed class UserMfa
{
    /// <summary>True once a first code confirmed the enrollment.</summary>
    [Id(0)] public bool Enabled { get; set; }

    /// <summary>The sealed secret: the confirmed one when enabled, else the pending enrollment (or none).</summary>
    [Id(1)] public WrappedDataKey? Secret { get; set; }

    [Id(2)] public List<string> RecoveryCodeHashes { get; set; } = [];

    /// <summary>The newest time step a code was accepted for: older and equal steps are refused (no replay).</summary>
    [Id(3)] public long LastAcceptedStep { get; set; }
}
