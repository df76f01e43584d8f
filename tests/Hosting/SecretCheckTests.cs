using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Surveillance.Hosting;
using Surveillance.Silo;
using Surveillance.Tests.Health;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Hosting;

/// <summary>
/// Issue 14 §6: losing the secrets while the database survives (deleting .data/secrets.json, a
/// secret pasted wrongly) must not start the service over with new keys, which would lock every
/// user out and make every stored video unreadable: the silo refuses to start and says why.
/// </summary>
public sealed class SecretCheckTests
{
    [Fact]
    public async Task DeletedSecretsFile_WithTheDatabaseKept_RefusesToStart_InsteadOfLockingEveryoneOutWithNewKeys()
    {
        await TestDatabase.EnsureSchemaAsync();
        var serviceId = "secrets-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = RealSilo.Build(TestDatabase.ConnectionString, serviceId: serviceId);
        await SiloProgram.VerifySecretsAsync(first.App, CancellationToken.None);      // first start: recorded
        var secretsFile = Path.Combine(first.DataPath, DevelopmentSecrets.FileName);
        var original = await File.ReadAllTextAsync(secretsFile);

        // The same file again: starts.
        await using var restarted = RealSilo.Build(TestDatabase.ConnectionString, dataPath: CopyOf(first.DataPath), serviceId: serviceId);
        await SiloProgram.VerifySecretsAsync(restarted.App, CancellationToken.None);

        // The accident: the file is gone, the database is not. Development generates new secrets …
        var lost = CopyOf(first.DataPath);
        File.Delete(Path.Combine(lost, DevelopmentSecrets.FileName));
        await using var afterLoss = RealSilo.Build(TestDatabase.ConnectionString, dataPath: lost, serviceId: serviceId);
        Assert.NotEqual(original, await File.ReadAllTextAsync(Path.Combine(lost, DevelopmentSecrets.FileName)));

        // … and the silo refuses them, naming the secrets and the file.
        var refusal = await Assert.ThrowsAsync<SecretMismatchException>(() => SiloProgram.VerifySecretsAsync(afterLoss.App, CancellationToken.None));
        Assert.Contains("Auth:PasswordPepper", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:MasterKeys:dev-1", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(DevelopmentSecrets.FileName, refusal.Message, StringComparison.Ordinal);
        Assert.Contains("generated anew", refusal.Message, StringComparison.Ordinal);

        // Putting the lost file back is the way out.
        await File.WriteAllTextAsync(Path.Combine(lost, DevelopmentSecrets.FileName), original);
        await using var restored = RealSilo.Build(TestDatabase.ConnectionString, dataPath: lost, serviceId: serviceId);
        await SiloProgram.VerifySecretsAsync(restored.App, CancellationToken.None);
    }

    [Fact]
    public async Task AnotherMasterKeyUnderAKnownId_IsRefused_WhileAddingANewKeyIdForRotation_IsAccepted()
    {
        await TestDatabase.EnsureSchemaAsync();
        var serviceId = "secrets-" + Guid.NewGuid().ToString("N")[..8];
        var (k1, pepper) = (Key(), Key());

        await VerifyAsync(serviceId, ("Auth:PasswordPepper", pepper), ("Storage:MasterKeys:k1", k1));
        await VerifyAsync(serviceId, ("Auth:PasswordPepper", pepper), ("Storage:MasterKeys:k1", k1), ("Storage:MasterKeys:k2", Key()));

        var refusal = await Assert.ThrowsAsync<SecretMismatchException>(() =>
            VerifyAsync(serviceId, ("Auth:PasswordPepper", pepper), ("Storage:MasterKeys:k1", Key())));
        Assert.Contains("Storage:MasterKeys:k1", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Auth:PasswordPepper", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherPasswordPepper_IsRefused_ButOnlyForTheServiceItWasRecordedFor()
    {
        await TestDatabase.EnsureSchemaAsync();
        var serviceId = "secrets-" + Guid.NewGuid().ToString("N")[..8];
        await VerifyAsync(serviceId, ("Auth:PasswordPepper", Key()));

        var refusal = await Assert.ThrowsAsync<SecretMismatchException>(() => VerifyAsync(serviceId, ("Auth:PasswordPepper", Key())));
        Assert.Contains("Auth:PasswordPepper", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(serviceId, refusal.Message, StringComparison.Ordinal);

        await VerifyAsync("secrets-" + Guid.NewGuid().ToString("N")[..8], ("Auth:PasswordPepper", Key())); // another service: its own
    }

    [Fact]
    public void CheckValue_IsNotTheSecret_AndDiffersPerName()
    {
        var secret = Key();

        var pepperCheck = SecretCheckValues.CheckValue("Auth:PasswordPepper", secret);

        Assert.Equal(32, pepperCheck.Length);
        Assert.NotEqual(Convert.ToBase64String(pepperCheck), secret);
        Assert.NotEqual(pepperCheck, SecretCheckValues.CheckValue("Audit:HmacKey", secret));
    }

    private static Task VerifyAsync(string serviceId, params (string Key, string Value)[] secrets) =>
        SecretCheckValues.VerifyAsync(
            new ConfigurationBuilder().AddInMemoryCollection(secrets.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build(),
            TestDatabase.ConnectionString, serviceId, CancellationToken.None);

    private static string Key() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static string CopyOf(string dataPath)
    {
        var copy = dataPath + "-" + Guid.NewGuid().ToString("N")[..6];
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(dataPath))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
    }
}
