using System.Reflection;
using Surveillance.Api.Auth;
using Surveillance.Identity;
using Surveillance.Tests.Infrastructure;

namespace Surveillance.Tests.Auth;

/// <summary>
/// A session check that misses its cache fetches a lease, then the user's profile, then keeps
/// the copy — unless a newer recall arrived in between. The attack: revoke a token (logout,
/// deactivation) while a request presenting it is between those steps. The revoking call returns
/// once this instance has been told to forget; the request that fetched the now-stale lease must
/// not be let through on it either.
/// </summary>
[Collection(LoginAndSessionCluster.Name)]
public sealed class SessionCacheRecallRaceTests(ApiFixture fixture)
{
    [Fact]
    public async Task LeaseThatLostToARevocationWhileItsRequestWasInFlight_IsNotUsedForThatRequest()
    {
        var (username, sessions, ticket) = await OpenSessionAsync();
        var grains = InterceptingGrains.BeforeProfileRead(fixture.Cluster.Client, () => sessions.RevokeAsync(ticket.TokenId));
        var cache = new SessionCache((IGrainFactory)grains, TimeProvider.System);

        var check = await cache.CheckAsync(username, ticket.TokenId);

        Assert.Equal(1, grains.HookRuns);
        Assert.False(check.IsActive, "the request was let through on a lease that a completed revocation had recalled");
        Assert.False((await cache.CheckAsync(username, ticket.TokenId)).IsActive);
    }

    [Fact]
    public async Task LeaseThatLostToAProfileChange_IsFetchedAgain_AndTheLiveTokenIsAccepted()
    {
        var (username, sessions, ticket) = await OpenSessionAsync();
        var grains = InterceptingGrains.BeforeProfileRead(fixture.Cluster.Client, sessions.ProfileChangedAsync);
        var cache = new SessionCache((IGrainFactory)grains, TimeProvider.System);

        var check = await cache.CheckAsync(username, ticket.TokenId);

        Assert.Equal(1, grains.HookRuns);
        Assert.True(check.IsActive, "a recall that revoked nothing must not refuse a live token");
    }

    private async Task<(string Username, IUserSessionsGrain Sessions, SessionTicket Ticket)> OpenSessionAsync()
    {
        var username = "race-" + Guid.NewGuid().ToString("N")[..12];
        var sessions = fixture.Cluster.Client.GetGrain<IUserSessionsGrain>(username);
        var now = DateTimeOffset.UtcNow;
        var ticket = new SessionTicket(Guid.NewGuid().ToString("N"), now, now + TimeSpan.FromHours(1));
        await sessions.OpenAsync(ticket);
        return (username, sessions, ticket);
    }

    /// <summary>
    /// The cluster's grain factory, except that the first profile read (<see cref="IUserGrain.GetAsync"/>)
    /// runs a hook before it: the moment between the lease and keeping it.
    /// </summary>
    public class InterceptingGrains : DispatchProxy
    {
        private IGrainFactory _inner = null!;
        private Func<Task> _hook = null!;
        private int _runs;

        public int HookRuns => _runs;

        public static InterceptingGrains BeforeProfileRead(IGrainFactory inner, Func<Task> hook)
        {
            var proxy = Create<IGrainFactory, InterceptingGrains>();
            var self = (InterceptingGrains)(object)proxy;
            (self._inner, self._hook) = (inner, hook);
            return self;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var result = targetMethod!.Invoke(_inner, args);
            return result is IUserGrain user ? HookedUser.Wrap(user, this) : result;
        }

        internal async Task RunHookOnceAsync()
        {
            if (Interlocked.CompareExchange(ref _runs, 1, 0) == 0)
            {
                await _hook();
            }
        }
    }

    public class HookedUser : DispatchProxy
    {
        private IUserGrain _inner = null!;
        private InterceptingGrains _grains = null!;

        public static IUserGrain Wrap(IUserGrain inner, InterceptingGrains grains)
        {
            var proxy = Create<IUserGrain, HookedUser>();
            var self = (HookedUser)(object)proxy;
            (self._inner, self._grains) = (inner, grains);
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IUserGrain.GetAsync) ? GetAsync() : targetMethod.Invoke(_inner, args);

        private async Task<UserProfile?> GetAsync()
        {
            await _grains.RunHookOnceAsync();
            return await _inner.GetAsync();
        }
    }
}
