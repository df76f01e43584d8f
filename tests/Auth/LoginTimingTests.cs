using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>Every grain write of this cluster waits <see cref="WriteDelay"/>; accounts lock after <see cref="Threshold"/> failures.</summary>
public sealed class SlowStoreFixture : ApiFixture
{
    public static readonly TimeSpan WriteDelay = TimeSpan.FromMilliseconds(300);
    public const int Threshold = 8;

    protected override TestSettings CreateSettings() => new()
    {
        Overrides = { ["Auth:Lockout:Threshold"] = $"{Threshold}" },
    };

    protected override void ConfigureSilo(ISiloBuilder silo) =>
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Main, (services, _) =>
            new SlowWriteStorage(AdoNetGrainStorageFactory.Create(services, StorageNames.Main), WriteDelay));
}

/// <summary>
/// Issue 13, "Timing" (ASVS 6.3.8 user enumeration): a wrong password for an existing account must not
/// wait for a database write that unknown and locked accounts skip. With writes slowed to 300 ms, the
/// median answer times of the three must stay within 50 ms of each other.
/// </summary>
public sealed class LoginTimingTests(SlowStoreFixture fixture) : IClassFixture<SlowStoreFixture>
{
    private const int Rounds = 5;
    private static readonly TimeSpan MaxDifference = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task WrongPassword_UnknownAccount_AndLockedAccount_AnswerInTheSameTime_EvenWithASlowStore()
    {
        var grains = fixture.Cluster.Client;
        var directory = grains.GetGrain<IUserDirectoryGrain>(0);
        var existing = "timing" + Guid.NewGuid().ToString("N")[..8];
        var locked = "locked" + Guid.NewGuid().ToString("N")[..8];
        foreach (var name in new[] { existing, locked })
        {
            await directory.CreateUserAsync(new NewUser(name, MfaSteps.Password, $"{name}@example.test", []));
        }

        for (var i = 0; i < SlowStoreFixture.Threshold; i++)
        {
            await grains.GetGrain<IUserGrain>(locked).LoginAsync(new LoginAttempt($"guess {i}", "192.0.2.10"));
        }

        var unknown = Enumerable.Range(0, Rounds).Select(_ => "nobody" + Guid.NewGuid().ToString("N")[..8]).ToList();
        foreach (var name in unknown.Append(existing).Append(locked))
        {
            await grains.GetGrain<IUserGrain>(name).GetAsync(); // activations are not what is measured
        }

        var wrongTimes = new List<TimeSpan>();
        var unknownTimes = new List<TimeSpan>();
        var lockedTimes = new List<TimeSpan>();
        for (var round = 0; round < Rounds; round++)
        {
            // Interleaved, so that load on the machine falls on all three alike; the same account each
            // time, so that a write still under way from the last failure would show too.
            wrongTimes.Add(await TimeAsync(grains, existing, LoginFailure.WrongPassword, round));
            unknownTimes.Add(await TimeAsync(grains, unknown[round], LoginFailure.UnknownUser, round));
            lockedTimes.Add(await TimeAsync(grains, locked, LoginFailure.Locked, round));
        }

        var wrong = Median(wrongTimes);
        Assert.True((wrong - Median(unknownTimes)).Duration() < MaxDifference,
            $"wrong password {wrong.TotalMilliseconds:F0} ms, unknown account {Median(unknownTimes).TotalMilliseconds:F0} ms");
        Assert.True((wrong - Median(lockedTimes)).Duration() < MaxDifference,
            $"wrong password {wrong.TotalMilliseconds:F0} ms, locked account {Median(lockedTimes).TotalMilliseconds:F0} ms");
    }

    private static async Task<TimeSpan> TimeAsync(IGrainFactory grains, string username, LoginFailure expected, int round)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = await grains.GetGrain<IUserGrain>(username).LoginAsync(new LoginAttempt($"wrong guess {round}", "198.51.100.7"));
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.Equal(expected, outcome.Failure);
        return elapsed;
    }

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);
}
