namespace Surveillance.Api.Auth;

/// <summary>The first step's answer for an account with MFA on (API.md): no access token yet.</summary>
public sealed record MfaChallengeResponse(bool MfaRequired, string MfaToken, int ExpiresIn);

public sealed record MfaVerifyRequest(string? MfaToken, string? Code);

public sealed record TotpEnrollResponse(string Secret, string OtpauthUri);

public sealed record TotpConfirmRequest(string? Code);

public sealed record TotpConfirmResponse(IReadOnlyList<string> RecoveryCodes);

public sealed record TotpDisableRequest(string? Password, string? Code);
