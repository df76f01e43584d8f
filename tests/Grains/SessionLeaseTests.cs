using System.Diagnostics;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Grains;

/// <summary>
/// API instances cache a user's live sessions under a lease from the session grain. A revocation
/// must not return while any instance may still trust a copy that lists the token: each holder is
/// told to forget it first, and a holder that does not answer is waited out until its lease ends.
/// </summary>
[Collection(AccountGrainsCluster.Name)]
public sealed class SessionLeaseTests(ApiFixture fixture)
{
    private static readonly TimeSpan AfterActivation = SessionLeaseHolders.Lifetime + SessionLeaseHolders.Margin;

    private (string Name, IUserSessionsGrain Grain) NewSessions()
    {
        var name = "leases-" + Guid.NewGuid().ToString("N")[..12];
        return (name, fixture.Cluster.Client.GetGrain<IUserSessionsGrain>(name));
    }

    private static SessionTicket Ticket()
    {
        var now = DateTimeOffset.UtcNow;
        return new SessionTicket(Guid.NewGuid().ToString("N"), now, now + TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Lease_ListsTheLiveTokens_ForItsLifetime()
    {
        var (_, sessions) = NewSessions();
        var live = Ticket();
        var revoked = Ticket();
        await sessions.OpenAsync(live);
        await sessions.OpenAsync(revoked);
        await sessions.RevokeAsync(revoked.TokenId);
        var holder = new RecordingHolder();

        var lease = await sessions.LeaseAsync(fixture.Cluster.Client.CreateObjectReference<ISessionCacheObserver>(holder));

        Assert.Equal([live.TokenId], lease.ExpiryByTokenId.Keys);
        Assert.Equal(SessionLeaseHolders.Lifetime, lease.Lifetime);
    }

    [Fact]
    public async Task Revoke_HasEveryHolderForgetTheUser_BeforeItReturns()
    {
        var (name, sessions) = NewSessions();
        var ticket = Ticket();
        await sessions.OpenAsync(ticket);
        var first = new RecordingHolder();
        var second = new RecordingHolder();
        var lease = await sessions.LeaseAsync(fixture.Cluster.Client.CreateObjectReference<ISessionCacheObserver>(first));
        await sessions.LeaseAsync(fixture.Cluster.Client.CreateObjectReference<ISessionCacheObserver>(second));

        await sessions.RevokeAsync(ticket.TokenId);

        foreach (var holder in new[] { first, second })
        {
            var (username, version) = Assert.Single(holder.Recalls);
            Assert.Equal(name, username);
            Assert.True(version > lease.Version, "a copy taken before the revocation must be older than the recall");
        }

        var after = await sessions.LeaseAsync(fixture.Cluster.Client.CreateObjectReference<ISessionCacheObserver>(first));
        Assert.Empty(after.ExpiryByTokenId);
        Assert.True(after.Version >= first.Recalls.Single().Version, "a copy taken after the recall must be accepted");
    }

    [Fact]
    public async Task Revoke_WithAHolderThatNeverAnswers_WaitsUntilItsLeaseHasRunOut()
    {
        var (_, sessions) = NewSessions();
        var ticket = Ticket();
        await sessions.OpenAsync(ticket);
        await Task.Delay(AfterActivation); // past the wait for leases of an earlier activation
        var silent = new SilentHolder();
        var clock = Stopwatch.StartNew();
        await sessions.LeaseAsync(fixture.Cluster.Client.CreateObjectReference<ISessionCacheObserver>(silent));

        await sessions.RevokeAsync(ticket.TokenId);

        Assert.True(silent.Called, "the holder was not asked to forget");
        Assert.True(clock.Elapsed >= SessionLeaseHolders.Lifetime,
            $"the revocation returned after {clock.Elapsed} while the silent holder's lease ({SessionLeaseHolders.Lifetime}) could still be trusted");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the revocation took {clock.Elapsed}");
        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, ticket.TokenId));
    }

    [Fact]
    public async Task ProfileChange_HasHoldersForget_WithoutRevokingAnything()
    {
        var (_, sessions) = NewSessions();
        var ticket = Ticket();
        await sessions.OpenAsync(ticket);
        var holder = new RecordingHolder();
        await sessions.LeaseAsync(fixture.Cluster.Client.CreateObjectReference<ISessionCacheObserver>(holder));

        await sessions.ProfileChangedAsync();

        Assert.Single(holder.Recalls);
        Assert.True(await sessions.LeaseListsAsync(fixture.Cluster.Client, ticket.TokenId));
    }
}
