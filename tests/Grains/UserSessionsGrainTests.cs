using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Grains;

/// <summary>
/// The server-side session list behind every token check (ASVS 7.4.1): a token is accepted only
/// while its id is listed and unexpired. Only the fixture's cluster is used, not its API.
/// </summary>
[Collection(AccountGrainsCluster.Name)]
public sealed class UserSessionsGrainTests(ApiFixture fixture)
{
    private IUserSessionsGrain NewSessions() =>
        fixture.Cluster.Client.GetGrain<IUserSessionsGrain>("sessions-" + Guid.NewGuid().ToString("N")[..12]);

    private static SessionTicket Ticket(TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        return new SessionTicket(Guid.NewGuid().ToString("N"), now, now + lifetime);
    }

    [Fact]
    public async Task OpenedToken_IsActive_AnUnknownTokenIsNot()
    {
        var sessions = NewSessions();
        var ticket = Ticket(TimeSpan.FromHours(1));

        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, ticket.TokenId));
        await sessions.OpenAsync(ticket);

        Assert.True(await sessions.LeaseListsAsync(fixture.Cluster.Client, ticket.TokenId));
        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, Guid.NewGuid().ToString("N")));
        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, ""));
    }

    [Fact]
    public async Task Logout_RevokesThatToken_Only()
    {
        var sessions = NewSessions();
        var revoked = Ticket(TimeSpan.FromHours(1));
        var other = Ticket(TimeSpan.FromHours(1));
        await sessions.OpenAsync(revoked);
        await sessions.OpenAsync(other);

        await sessions.RevokeAsync(revoked.TokenId);

        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, revoked.TokenId));
        Assert.True(await sessions.LeaseListsAsync(fixture.Cluster.Client, other.TokenId));
    }

    [Fact]
    public async Task RevokingAnUnknownToken_ChangesNothing()
    {
        var sessions = NewSessions();
        var ticket = Ticket(TimeSpan.FromHours(1));
        await sessions.OpenAsync(ticket);

        await sessions.RevokeAsync("no-such-token");

        Assert.True(await sessions.LeaseListsAsync(fixture.Cluster.Client, ticket.TokenId));
    }

    [Fact]
    public async Task RevokeAll_EndsEverySession()
    {
        var sessions = NewSessions();
        var tickets = Enumerable.Range(0, 3).Select(_ => Ticket(TimeSpan.FromHours(1))).ToList();
        foreach (var ticket in tickets)
        {
            await sessions.OpenAsync(ticket);
        }

        await sessions.RevokeAllAsync(exceptTokenId: null);

        foreach (var ticket in tickets)
        {
            Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, ticket.TokenId));
        }
    }

    [Fact]
    public async Task RevokeAll_Except_KeepsOnlyTheCallersToken()
    {
        var sessions = NewSessions();
        var kept = Ticket(TimeSpan.FromHours(1));
        var others = Enumerable.Range(0, 2).Select(_ => Ticket(TimeSpan.FromHours(1))).ToList();
        await sessions.OpenAsync(kept);
        foreach (var ticket in others)
        {
            await sessions.OpenAsync(ticket);
        }

        await sessions.RevokeAllAsync(kept.TokenId);

        Assert.True(await sessions.LeaseListsAsync(fixture.Cluster.Client, kept.TokenId));
        foreach (var ticket in others)
        {
            Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, ticket.TokenId));
        }
    }

    [Fact]
    public async Task RevokeAll_ExceptATokenThatWasNeverOpened_DoesNotMakeItActive()
    {
        // A forged or already revoked token id must not be resurrected by naming it as "kept".
        var sessions = NewSessions();
        var open = Ticket(TimeSpan.FromHours(1));
        await sessions.OpenAsync(open);

        await sessions.RevokeAllAsync("forged-token-id");

        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, "forged-token-id"));
        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, open.TokenId));
    }

    [Fact]
    public async Task ExpiredTicket_IsInactive()
    {
        var sessions = NewSessions();
        var now = DateTimeOffset.UtcNow;
        var expired = new SessionTicket(Guid.NewGuid().ToString("N"), now.AddHours(-2), now.AddSeconds(-1));
        var live = Ticket(TimeSpan.FromHours(1));

        await sessions.OpenAsync(expired);
        await sessions.OpenAsync(live);

        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, expired.TokenId));
        Assert.True(await sessions.LeaseListsAsync(fixture.Cluster.Client, live.TokenId));
    }

    [Fact]
    public async Task Ticket_BecomesInactive_OnceItsExpiryPasses()
    {
        var sessions = NewSessions();
        var ticket = Ticket(TimeSpan.FromSeconds(5));
        await sessions.OpenAsync(ticket);
        Assert.True(await sessions.LeaseListsAsync(fixture.Cluster.Client, ticket.TokenId));

        // Waiting past the expiry is the behaviour under test, not a timing assertion.
        var untilExpired = ticket.ExpiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
        await Task.Delay(untilExpired > TimeSpan.Zero ? untilExpired : TimeSpan.Zero);

        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, ticket.TokenId));
    }

    [Fact]
    public async Task Sessions_AndRevocations_SurviveTheGrainsDeactivation()
    {
        var sessions = NewSessions();
        var kept = Ticket(TimeSpan.FromHours(1));
        var revoked = Ticket(TimeSpan.FromHours(1));
        await sessions.OpenAsync(kept);
        await sessions.OpenAsync(revoked);
        await sessions.RevokeAsync(revoked.TokenId);

        await fixture.Cluster.Cluster.DeactivateAsync(sessions);

        Assert.True(await sessions.LeaseListsAsync(fixture.Cluster.Client, kept.TokenId));
        Assert.False(await sessions.LeaseListsAsync(fixture.Cluster.Client, revoked.TokenId));
    }
}
