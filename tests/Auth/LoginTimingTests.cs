using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>A cluster whose grain storage can hold a grain's writes (<see cref="HeldWriteStorage"/>).</summary>
public sealed class HeldWritesFixture : ApiFixture
{
    public const int Threshold = 8;

    protected override TestSettings CreateSettings() => new()
    {
        Overrides = { ["Auth:Lockout:Threshold"] = $"{Threshold}" },
    };

    protected override void ConfigureSilo(ISiloBuilder silo) =>
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Main, (services, _) =>
            new HeldWriteStorage(AdoNetGrainStorageFactory.Create(services, StorageNames.Main)));
}

/// <summary>
/// Issue 13, "Timing" (ASVS 6.3.8, no user enumeration): a wrong password for an existing account
/// used to wait for the write of its failure count, which unknown and locked accounts never make,
/// so a slow store made existing accounts answer measurably later. Wall-clock comparisons of bcrypt
/// logins are noise on a loaded two-core machine, so this holds the store's writes indefinitely
/// instead: the wrong-password answer must arrive anyway (the store adds 0 ms to it, whatever its
/// latency), while unknown and locked accounts attempt no write at all.
/// </summary>
public sealed class LoginTimingTests(HeldWritesFixture fixture) : IClassFixture<HeldWritesFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WrongPassword_AnswersWithoutWaitingForTheStore_UnknownAndLockedAccountsWriteNothing()
    {
        var grains = fixture.Cluster.Client;
        var directory = grains.GetGrain<IUserDirectoryGrain>(0);
        var existing = "timing" + Guid.NewGuid().ToString("N")[..8];
        var locked = "locked" + Guid.NewGuid().ToString("N")[..8];
        var unknown = "nobody" + Guid.NewGuid().ToString("N")[..8];
        foreach (var name in new[] { existing, locked })
        {
            await directory.CreateUserAsync(new NewUser(name, MfaSteps.Password, $"{name}@example.test", []));
        }

        for (var i = 0; i < HeldWritesFixture.Threshold; i++)
        {
            await Login(grains, locked, i).WaitAsync(Patience);
        }

        var lockedWrites = await SettledWriteCountAsync(locked);
        var existingWrites = await SettledWriteCountAsync(existing);
        var hold = HeldWriteStorage.HoldWritesOf(existing);
        try
        {
            // Three in a row on the same account: a held write of the last failure must not delay the next answer either.
            for (var round = 0; round < 3; round++)
            {
                Assert.Equal(LoginFailure.WrongPassword, (await Login(grains, existing, round).WaitAsync(Patience)).Failure);
                Assert.Equal(LoginFailure.UnknownUser, (await Login(grains, unknown, round).WaitAsync(Patience)).Failure);
                Assert.Equal(LoginFailure.Locked, (await Login(grains, locked, round).WaitAsync(Patience)).Failure);
            }

            Assert.True(HeldWriteStorage.WritesAttemptedBy(existing) > existingWrites, "the failure count is still written (after the answer)");
            Assert.False(hold.Released.Task.IsCompleted);
            Assert.Equal(0, HeldWriteStorage.WritesAttemptedBy(unknown));
            Assert.Equal(lockedWrites, HeldWriteStorage.WritesAttemptedBy(locked));
        }
        finally
        {
            hold.Released.TrySetResult();
        }

        // The failures whose writes were held still count: the account locks at the threshold as before.
        for (var i = 3; i < HeldWritesFixture.Threshold; i++)
        {
            await Login(grains, existing, i).WaitAsync(Patience);
        }

        Assert.Equal(LoginFailure.Locked, (await Login(grains, existing, 99).WaitAsync(Patience)).Failure);
    }

    /// <summary>The number of writes the grain attempted, once it has stopped changing (deferred writes done).</summary>
    private static async Task<int> SettledWriteCountAsync(string key)
    {
        var count = HeldWriteStorage.WritesAttemptedBy(key);
        for (var quiet = 0; quiet < 3;)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var now = HeldWriteStorage.WritesAttemptedBy(key);
            quiet = now == count ? quiet + 1 : 0;
            count = now;
        }

        return count;
    }

    private static Task<LoginOutcome> Login(IGrainFactory grains, string username, int guess) =>
        grains.GetGrain<IUserGrain>(username).LoginAsync(new LoginAttempt($"wrong guess {guess}", "198.51.100.7"));
}
