using Microsoft.Extensions.Options;
using Surveillance.Api.Auth;
using Surveillance.Api.Videos;
using Surveillance.Edge;
using Surveillance.Identity;
using Surveillance.Videos;

namespace Surveillance.Tests.Hosting;

/// <summary>
/// The validators that replaced inline <c>.Validate</c> lambdas (issue 17): each refuses what the
/// lambda refused, naming the key, and lets the shipped defaults through.
/// </summary>
public sealed class OptionsValidatorTests
{
    [Fact]
    public void ShippedDefaults_PassEveryValidator()
    {
        Assert.True(new LockoutOptionsValidator().Validate(null, new LockoutOptions()).Succeeded);
        Assert.True(new ThreatOptionsValidator().Validate(null, new ThreatOptions()).Succeeded);
        Assert.True(new RetentionOptionsValidator().Validate(null, new RetentionOptions()).Succeeded);
        Assert.True(new UploadOptionsValidator().Validate(null, new UploadOptions()).Succeeded);
        Assert.True(new MfaOptionsValidator().Validate(null, new MfaOptions { RequireMfaForRoles = ["admin"] }).Succeeded);
    }

    [Fact]
    public void LockoutShorterAtItsMaximumThanAtItsStart_IsRefused_NamingTheSection() =>
        AssertRefused(new LockoutOptionsValidator().Validate(null, new LockoutOptions { LockoutSeconds = 900, MaxLockoutSeconds = 60 }), "Auth:Lockout");

    [Fact]
    public void ThreatsWithoutABlockOrWithANonAddressAllowlistEntry_AreRefused_EachNamed()
    {
        var result = new ThreatOptionsValidator().Validate(null, new ThreatOptions { BlockSeconds = 0, StoredStrikesPerSecond = 0, Allowlist = ["not-an-ip"] });

        AssertRefused(result, "MaxBlockSeconds >= BlockSeconds");
        AssertRefused(result, "StoredStrikesPerSecond");
        AssertRefused(result, "Threats:Allowlist");
    }

    [Fact]
    public void RetentionDayOfZeroSeconds_IsRefused() =>
        AssertRefused(new RetentionOptionsValidator().Validate(null, new RetentionOptions { DaySeconds = 0 }), "Retention:DaySeconds");

    [Fact]
    public void UploadLimitOfZeroBytes_IsRefused() =>
        AssertRefused(new UploadOptionsValidator().Validate(null, new UploadOptions { MaxBytes = 0 }), "Uploads:MaxBytes");

    [Fact]
    public void MfaRequiredForARoleThatDoesNotExist_IsRefused_ListingTheRoles() =>
        AssertRefused(new MfaOptionsValidator().Validate(null, new MfaOptions { RequireMfaForRoles = ["superuser"] }), "Auth:RequireMfaForRoles may name only these roles");

    private static void AssertRefused(ValidateOptionsResult result, string expected)
    {
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }
}
