using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Surveillance.Audit;

namespace Surveillance.Tests.Audit;

/// <summary>The pure parts of the audit log: escaping (log injection), capping, pseudonyms and the chain's key.</summary>
public sealed class AuditPrivacyAndEscapingTests
{
    private static IOptions<AuditOptions> Options(byte[]? key = null) =>
        Microsoft.Extensions.Options.Options.Create(new AuditOptions { HmacKey = Convert.ToBase64String(key ?? RandomNumberGenerator.GetBytes(32)) });

    private static AuditRecord Record(IReadOnlyDictionary<string, string>? details, string clientIp = "203.0.113.200") => new(
        7,
        new AuditEntry
        {
            Timestamp = DateTimeOffset.UtcNow, RequestId = "r", ClientIp = clientIp, Method = "POST", Path = "/admin/users",
            StatusCode = 201, Event = AuditEvents.UserCreated, Details = details,
        },
        new byte[32],
        new byte[32]);

    [Theory]
    [InlineData("a\rb", "a\\rb")]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\u0000b\u001bc\u007f", "a\\u0000b\\u001bc\\u007f")]
    [InlineData("line\u2028sep", "line\\u2028sep")]
    [InlineData("bidi\u202Egnp.exe", "bidi\\u202egnp.exe")]
    [InlineData("plain text é ✓", "plain text é ✓")]
    public void LogInjection_ControlAndDirectionCharacters_AreEscaped(string raw, string stored)
    {
        Assert.Equal(stored, AuditText.Clean(raw, 100));
    }

    [Fact]
    public void Capping_NeverCutsAnEscapeOrASurrogatePairInHalf()
    {
        Assert.Equal("ab", AuditText.Clean("ab\r\n", 3));
        Assert.Equal("a", AuditText.Clean("a😀", 2));
        Assert.Equal("\uFFFD", AuditText.Clean("\uD800", 10));
    }

    [Fact]
    public void Anonymize_IPv4KeepsThe24_IPv6KeepsThe48()
    {
        Assert.Equal("203.0.113.0", AuditAnonymizer.Subnet("203.0.113.77"));
        Assert.Equal("2001:db8:1::", AuditAnonymizer.Subnet("2001:db8:1:2:3:4:5:6"));
        Assert.Equal("10.1.2.0", AuditAnonymizer.Subnet("::ffff:10.1.2.3"));
        Assert.Equal("unknown", AuditAnonymizer.Subnet("unknown"));
    }

    [Fact]
    public void Anonymize_EmailBecomesAKeyedHash_ThatADictionaryOfPlainHashesCannotMatch()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var anonymizer = new AuditAnonymizer(Options(key));

        var line = anonymizer.Anonymize(Record(new Dictionary<string, string> { ["email"] = "Alice@Example.test", ["target"] = "alice" }));

        var hash = line.EmailHash!;
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, line.Details!["email_hash"]);
        Assert.False(line.Details.ContainsKey("email"));
        Assert.Equal("alice", line.Details["target"]);
        Assert.Null(line.ClientIp);
        Assert.Equal("203.0.113.0", line.IpSubnet);
        Assert.Equal(hash, anonymizer.EmailHash("alice@example.test")); // stable: entries of one address still link
        Assert.NotEqual(hash, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("alice@example.test"))));
        Assert.NotEqual(hash, new AuditAnonymizer(Options()).EmailHash("alice@example.test"));
    }

    [Fact]
    public void Anonymize_EmailShapedValuesUnderOtherKeys_AreHashedToo()
    {
        var line = new AuditAnonymizer(Options()).Anonymize(Record(new Dictionary<string, string> { ["contact"] = "bob@example.test" }));

        Assert.False(line.Details!.ContainsKey("contact"));
        Assert.Matches("^[0-9a-f]{64}$", line.Details["contact_hash"]);
    }

    [Fact]
    public void Chain_HashDependsOnTheKey_ThePreviousHash_TheIdAndEveryField()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var chain = new AuditChain(Options(key));
        var entry = Record(new Dictionary<string, string> { ["target"] = "alice" }).Entry.Normalized();
        var previous = new byte[32];
        var hash = chain.Hash(previous, 7, entry);

        Assert.True(chain.IsValid(previous, 7, entry, hash));
        Assert.False(chain.IsValid(previous, 8, entry, hash));
        Assert.False(chain.IsValid(RandomNumberGenerator.GetBytes(32), 7, entry, hash));
        Assert.False(chain.IsValid(previous, 7, entry with { StatusCode = 200 }, hash));
        Assert.False(chain.IsValid(previous, 7, entry with { Details = new Dictionary<string, string> { ["target"] = "bob" } }, hash));
        Assert.False(new AuditChain(Options()).IsValid(previous, 7, entry, hash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void Options_AWeakOrMissingKey_StopsTheHost_NamingTheKey(string key)
    {
        var result = new AuditOptionsValidator().Validate(null, new AuditOptions { HmacKey = key });

        Assert.True(result.Failed);
        Assert.Contains("Audit:HmacKey", result.FailureMessage);
    }
}
