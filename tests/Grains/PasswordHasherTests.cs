using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Surveillance.Identity;

namespace Surveillance.Tests.Grains;

/// <summary>
/// bcrypt over a peppered HMAC-SHA384 pre-hash (OWASP Password Storage cheat sheet), and the
/// option checks that keep a weak cost or a missing pepper from ever reaching production.
/// </summary>
public sealed class PasswordHasherTests
{
    private const string Password = "correct horse battery staple";
    private static readonly string Pepper = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    private static PasswordHasher Hasher(int workFactor = 10, string? pepper = null)
    {
        var options = Options.Create(new PasswordHashingOptions { BcryptWorkFactor = workFactor, PasswordPepper = pepper ?? Pepper, HashingCpuShare = 1 });
        return new(options, new HashingBudget(options));
    }

    [Fact]
    public async Task Verify_AcceptsTheRightPassword_AndRejectsAWrongOne()
    {
        var hasher = Hasher();
        var hash = await hasher.HashAsync(Password);

        Assert.True(await hasher.VerifyAsync(Password, hash));
        Assert.False(await hasher.VerifyAsync(Password + "!", hash));
        Assert.False(await hasher.VerifyAsync("Correct horse battery staple", hash));
    }

    [Fact]
    public async Task Hash_IsNeverThePassword_AndIsSaltedPerHash()
    {
        var hasher = Hasher();
        var first = await hasher.HashAsync(Password);
        var second = await hasher.HashAsync(Password);

        Assert.DoesNotContain(Password, first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.True(await hasher.VerifyAsync(Password, second));
    }

    [Fact]
    public async Task LongPasswords_SharingTheFirst72Bytes_AreDifferentPasswords()
    {
        // bcrypt alone ignores every byte after the 72nd; the pre-hash must keep them.
        var prefix = new string('p', 72);
        var hasher = Hasher();
        var hash = await hasher.HashAsync(prefix + "-one");

        Assert.True(await hasher.VerifyAsync(prefix + "-one", hash));
        Assert.False(await hasher.VerifyAsync(prefix + "-two", hash));
        Assert.False(await hasher.VerifyAsync(prefix, hash));
    }

    [Fact]
    public async Task Hash_IsBcrypt_WithTheConfiguredCost()
    {
        var hash = await Hasher(workFactor: 10).HashAsync(Password);

        Assert.StartsWith("$2", hash, StringComparison.Ordinal);
        Assert.Equal(60, hash.Length);
        Assert.Equal("10", hash.Split('$')[2]);
    }

    [Fact]
    public async Task NeedsRehash_WhenTheWorkFactorRises_NotWhileItStaysTheSame()
    {
        var hash = await Hasher(workFactor: 10).HashAsync(Password);

        Assert.False(Hasher(workFactor: 10).NeedsRehash(hash));
        Assert.True(Hasher(workFactor: 11).NeedsRehash(hash));
    }

    [Fact]
    public async Task StolenHashes_DoNotVerify_WithoutTheServersPepper()
    {
        var hash = await Hasher().HashAsync(Password);
        var otherPepper = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

        Assert.False(await Hasher(pepper: otherPepper).VerifyAsync(Password, hash));
        Assert.True(await Hasher().VerifyAsync(Password, hash));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(4)]
    [InlineData(32)]
    public void Options_WorkFactorOutside10To31_AreRejected(int workFactor)
    {
        var result = new PasswordHashingOptionsValidator().Validate(null, new PasswordHashingOptions
        {
            BcryptWorkFactor = workFactor,
            PasswordPepper = Pepper,
        });

        Assert.True(result.Failed);
        Assert.Contains("Auth:BcryptWorkFactor", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short-pepper")]
    [InlineData("0123456789012345678901234567890")] // 31 bytes
    [InlineData("ééééééééééééééé")] // 15 characters, 30 bytes
    public void Options_PepperShorterThan32Bytes_IsRejected(string pepper)
    {
        var result = new PasswordHashingOptionsValidator().Validate(null, new PasswordHashingOptions
        {
            BcryptWorkFactor = 12,
            PasswordPepper = pepper,
        });

        Assert.True(result.Failed);
        Assert.Contains("Auth:PasswordPepper", result.FailureMessage, StringComparison.Ordinal);
    }

    // The floors: cost 10, 32 bytes (24 random bytes in base64: no pepper is written into the repo).
    // A repeated "0123456789…" or "éééé…" is long enough but weak, and refused since
    // SecretStrength: see SecretStrengthTests.
    public static TheoryData<int, string> PeppersAtOrAboveTheFloors => new()
    {
        { 10, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)) },
        { 12, "àáâãäåæçèéêëìíîïðñòóôõö÷ø" }, // 25 characters, 50 bytes: bytes count, not characters
        { 31, "a pepper that is comfortably longer than thirty-two bytes" },
    };

    [Theory]
    [MemberData(nameof(PeppersAtOrAboveTheFloors))]
    public void Options_AtOrAboveTheFloors_AreAccepted(int workFactor, string pepper)
    {
        var result = new PasswordHashingOptionsValidator().Validate(null, new PasswordHashingOptions
        {
            BcryptWorkFactor = workFactor,
            PasswordPepper = pepper,
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
