using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Surveillance.Api.Auth;
using Surveillance.Audit;
using Surveillance.Identity;
using Surveillance.Processing;
using Surveillance.Storage;
using Surveillance.Videos;

namespace Surveillance.Tests.Hosting;

/// <summary>
/// A secret that is long enough can still be guessable: a template placeholder left in, a byte
/// or a short pattern repeated to the required length, a counting sequence, a small alphabet.
/// Every secret the hosts read refuses each of them at start-up, naming the key.
/// </summary>
public sealed class SecretStrengthTests
{
    /// <summary>The secrets, and whether each is a UTF-8 text key or base64 of key bytes (32 for the master keys).</summary>
    private static readonly Dictionary<string, bool> Secrets = new()
    {
        ["Auth:JwtSecret"] = true,
        ["Auth:PasswordPepper"] = true,
        ["Storage:MasterKeys:k1"] = false,
        ["Audit:HmacKey"] = false,
        ["Results:HmacKey"] = false,
    };

    private static readonly string[] WeakKinds = ["all-zero", "repeated-pattern", "low-entropy", "counting-sequence", "template-value"];

    public static TheoryData<string, string> WeakSecrets()
    {
        var data = new TheoryData<string, string>();
        foreach (var key in Secrets.Keys)
        {
            foreach (var kind in WeakKinds)
            {
                data.Add(key, kind);
            }
        }

        return data;
    }

    public static TheoryData<string> SecretKeys() => [.. Secrets.Keys];

    [Theory]
    [MemberData(nameof(WeakSecrets))]
    public void ALongEnoughButGuessableSecret_StopsTheHost_NamingTheKey(string key, string kind)
    {
        var value = Weak(kind, text: Secrets[key]);

        var failure = Validate(key, value);

        Assert.NotNull(failure);
        Assert.Contains(key.StartsWith("Storage:MasterKeys", StringComparison.Ordinal) ? "Storage:MasterKeys:k1" : key, failure, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SecretKeys))]
    public void AGeneratedSecret_IsAccepted(string key)
    {
        for (var i = 0; i < 20; i++)
        {
            var value = Secrets[key]
                ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))
                : Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

            Assert.Null(Validate(key, value));
        }
    }

    [Fact]
    public void ThirtyTwoRandomBytes_AreEstimatedWellAbove128Bits_AndAFixedPatternWellBelow()
    {
        var lowest = Enumerable.Range(0, 1000).Min(_ => SecretStrength.EstimatedBits(RandomNumberGenerator.GetBytes(32)));
        var sequence = SecretStrength.EstimatedBits(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

        Assert.True(lowest > 140, $"random 32-byte keys went as low as {lowest:0} bits");
        Assert.True(sequence < 16, $"0, 1, 2, … 31 was estimated at {sequence:0} bits");
    }

    [Theory]
    [InlineData("REPLACE_ME-REPLACE_ME-REPLACE_ME-REPLACE_ME", "placeholder")]
    [InlineData("000000000000000000000000000000000000000000000000", "same")]
    [InlineData("k3Fz9Q-k3Fz9Q-k3Fz9Q-k3Fz9Q-k3Fz9Q-k3Fz9Q-k3Fz9Q", "repeats")]
    [InlineData("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN", "entropy")]
    public void TheReason_SaysWhatIsWrong(string secret, string reason)
    {
        Assert.Contains(reason, SecretStrength.Weakness(secret), StringComparison.Ordinal);
    }

    private static string Weak(string kind, bool text)
    {
        var bytes = kind switch
        {
            "all-zero" => text ? Encoding.ASCII.GetBytes(new string('0', 48)) : new byte[32],
            "repeated-pattern" => Repeat(RandomNumberGenerator.GetBytes(8), 32, text),
            // A 6-letter alphabet for text (about 2.6 bits a character), 12 byte values for keys.
            "low-entropy" => text
                ? Encoding.ASCII.GetBytes(RandomNumberGenerator.GetString("abcdef", 40))
                : RandomNumberGenerator.GetBytes(32).Select(b => (byte)(b % 12)).ToArray(),
            "counting-sequence" => text
                ? Encoding.ASCII.GetBytes("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN")
                : Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray(),
            "template-value" => Encoding.ASCII.GetBytes(text ? "REPLACE_ME-REPLACE_ME-REPLACE_ME-REPLACE_ME" : "this-is-an-example-key-change-me"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return text ? Encoding.ASCII.GetString(bytes) : Convert.ToBase64String(bytes);
    }

    private static byte[] Repeat(byte[] pattern, int length, bool text)
    {
        var unit = text ? Encoding.ASCII.GetBytes(Convert.ToBase64String(pattern)) : pattern;
        return Enumerable.Range(0, (length + unit.Length - 1) / unit.Length + 1).SelectMany(_ => unit).Take(text ? 48 : length).ToArray();
    }

    /// <summary>The failure message of the host's validation of <paramref name="key"/>, or null when it starts.</summary>
    private static string? Validate(string key, string value)
    {
        switch (key)
        {
            case "Auth:JwtSecret":
                return new JwtOptionsValidator().Validate(null, new JwtOptions { JwtSecret = value }).FailureMessage;
            case "Audit:HmacKey":
                return new AuditOptionsValidator().Validate(null, new AuditOptions { HmacKey = value }).FailureMessage;
            case "Results:HmacKey":
                return new ResultsOptionsValidator().Validate(null, new ResultsOptions { HmacKey = value }).FailureMessage;
        }

        // The silo's own validators are internal: resolve them as the silo does.
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Storage:MasterKeys:", StringComparison.Ordinal))
        {
            settings["Storage:ActiveKeyId"] = "k1";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddSurveillanceGrains(configuration).BuildServiceProvider();
        try
        {
            _ = key == "Auth:PasswordPepper"
                ? services.GetRequiredService<IOptions<PasswordHashingOptions>>().Value as object
                : services.GetRequiredService<IOptions<MasterKeyOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException e)
        {
            return e.Message;
        }
    }
}
